"""Model arguments given as paths, bytes or ``onnx.ModelProto``."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from typing import Any, Iterator, Union

ModelLike = Union[str, "os.PathLike[str]", bytes, bytearray, Any]


@contextmanager
def model_path(model: ModelLike, suffix: str = ".onnx") -> Iterator[str]:
    """A path for ``model``: a path as given, or a temporary ``suffix`` file holding model bytes
    (``bytes``, or anything with ``SerializeToString()`` such as ``onnx.ModelProto``), removed after."""
    if isinstance(model, (str, os.PathLike)):
        yield os.fspath(model)
        return
    if isinstance(model, (bytes, bytearray, memoryview)):
        data = bytes(model)
    elif hasattr(model, "SerializeToString"):
        data = model.SerializeToString()
    else:
        raise TypeError(f"expected a path, model bytes or an onnx.ModelProto, found {type(model).__name__}")
    handle, path = tempfile.mkstemp(prefix="quadform-model-", suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        yield path
    finally:
        os.unlink(path)
