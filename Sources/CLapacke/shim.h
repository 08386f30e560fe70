#ifndef QUADFORM_CLAPACKE_SHIM_H
#define QUADFORM_CLAPACKE_SHIM_H
#include <lapacke.h>
#include <cblas.h>
#endif
