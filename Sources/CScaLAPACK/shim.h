#ifndef QUADFORM_CSCALAPACK_SHIM_H
#define QUADFORM_CSCALAPACK_SHIM_H
/* Link-only system library: Debian's libscalapack-openmpi (BLACS + ScaLAPACK) and OpenMPI's libmpi.
   The prototypes and MPI wrappers Swift calls are in the C target CQuadFormMPI. */
#endif
