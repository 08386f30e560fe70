#ifndef QUADFORM_CQUADFORMMPI_H
#define QUADFORM_CQUADFORMMPI_H
/* A small C shim between Swift and MPI/BLACS/ScaLAPACK (docs/distributed.md).
   OpenMPI's MPI_COMM_WORLD, MPI_DOUBLE, MPI_SUM, ... are macros that expand to addresses of
   library globals, which Swift cannot import; the qf_mpi_* functions wrap the few MPI calls
   quadform-mpi makes. ScaLAPACK and BLACS ship no C header: their Fortran symbols (trailing
   underscore, every argument by reference) and the Cblacs_* C interface are declared here. */
#include <stddef.h>
#include <stdint.h>

/* MPI (implemented in qf_mpi.c against <mpi.h>). Return MPI's error code (0 = MPI_SUCCESS). */
int qf_mpi_init(void);
int qf_mpi_finalize(void);
int qf_mpi_initialized(void);
int qf_mpi_rank(void);
int qf_mpi_size(void);
void qf_mpi_abort(int status);
int qf_mpi_barrier(void);
int qf_mpi_bcast_bytes(void *buffer, long count, int root);
int qf_mpi_allreduce_sum_doubles(double *values, long count);
int qf_mpi_allreduce_max_doubles(double *values, long count);
int qf_mpi_allreduce_min_long(long *values, long count);
int qf_mpi_reduce_sum_doubles(double *values, long count, int root);
double qf_mpi_wtime(void);

/* BLACS C interface. */
void Cblacs_pinfo(int *mypnum, int *nprocs);
void Cblacs_get(int context, int request, int *value);
void Cblacs_gridinit(int *context, const char *order, int nprow, int npcol);
void Cblacs_gridinfo(int context, int *nprow, int *npcol, int *myrow, int *mycol);
void Cblacs_gridexit(int context);
void Cblacs_exit(int notDone);

/* ScaLAPACK tools and drivers (Fortran). */
int numroc_(const int *n, const int *nb, const int *iproc, const int *isrcproc, const int *nprocs);
void descinit_(int *desc, const int *m, const int *n, const int *mb, const int *nb, const int *irsrc,
               const int *icsrc, const int *ictxt, const int *lld, int *info);
void pdtran_(const int *m, const int *n, const double *alpha, const double *a, const int *ia, const int *ja,
             const int *desca, const double *beta, double *c, const int *ic, const int *jc, const int *descc);
void pdsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *ia, const int *ja,
              const int *desca, double *w, double *z, const int *iz, const int *jz, const int *descz,
              double *work, const int *lwork, int *iwork, const int *liwork, int *info);
void pdsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *ia, const int *ja,
             const int *desca, double *w, double *z, const int *iz, const int *jz, const int *descz,
             double *work, const int *lwork, int *info);
void pdsyevr_(const char *jobz, const char *range, const char *uplo, const int *n, double *a, const int *ia,
              const int *ja, const int *desca, const double *vl, const double *vu, const int *il, const int *iu,
              int *m, int *nz, double *w, double *z, const int *iz, const int *jz, const int *descz,
              double *work, const int *lwork, int *iwork, const int *liwork, int *info);
void pdgemm_(const char *transa, const char *transb, const int *m, const int *n, const int *k,
             const double *alpha, const double *a, const int *ia, const int *ja, const int *desca,
             const double *b, const int *ib, const int *jb, const int *descb, const double *beta,
             double *c, const int *ic, const int *jc, const int *descc);
void Cpdgemr2d(int m, int n, double *a, int ia, int ja, int *desca, double *b, int ib, int jb, int *descb,
               int gcontext);

#endif
