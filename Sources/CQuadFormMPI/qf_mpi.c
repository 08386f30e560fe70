/* MPI wrappers for Swift: OpenMPI's handles (MPI_COMM_WORLD, MPI_DOUBLE, MPI_SUM, ...) are macros
   over addresses of library globals, so they are used here, in C. */
#include <mpi.h>
#include "CQuadFormMPI.h"

int qf_mpi_init(void) {
    int flag = 0;
    MPI_Initialized(&flag);
    if (flag) return MPI_SUCCESS;
    return MPI_Init(NULL, NULL);
}
int qf_mpi_finalize(void) {
    int flag = 0;
    MPI_Finalized(&flag);
    if (flag) return MPI_SUCCESS;
    return MPI_Finalize();
}
int qf_mpi_initialized(void) { int flag = 0; MPI_Initialized(&flag); return flag; }
int qf_mpi_rank(void) { int r = 0; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }
int qf_mpi_size(void) { int s = 1; MPI_Comm_size(MPI_COMM_WORLD, &s); return s; }
void qf_mpi_abort(int status) { MPI_Abort(MPI_COMM_WORLD, status); }
int qf_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

/* MPI counts are int: long counts go in chunks of at most 2^30 elements. */
#define QF_CHUNK (1L << 30)

int qf_mpi_bcast_bytes(void *buffer, long count, int root) {
    char *p = (char *)buffer;
    for (long done = 0; done < count; done += QF_CHUNK) {
        long n = count - done < QF_CHUNK ? count - done : QF_CHUNK;
        int rc = MPI_Bcast(p + done, (int)n, MPI_BYTE, root, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
    }
    return MPI_SUCCESS;
}
int qf_mpi_allreduce_sum_doubles(double *values, long count) {
    for (long done = 0; done < count; done += QF_CHUNK) {
        long n = count - done < QF_CHUNK ? count - done : QF_CHUNK;
        int rc = MPI_Allreduce(MPI_IN_PLACE, values + done, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
    }
    return MPI_SUCCESS;
}
int qf_mpi_allreduce_max_doubles(double *values, long count) {
    for (long done = 0; done < count; done += QF_CHUNK) {
        long n = count - done < QF_CHUNK ? count - done : QF_CHUNK;
        int rc = MPI_Allreduce(MPI_IN_PLACE, values + done, (int)n, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
    }
    return MPI_SUCCESS;
}
int qf_mpi_allreduce_min_long(long *values, long count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, (int)count, MPI_LONG, MPI_MIN, MPI_COMM_WORLD);
}
int qf_mpi_reduce_sum_doubles(double *values, long count, int root) {
    int me = qf_mpi_rank();
    for (long done = 0; done < count; done += QF_CHUNK) {
        long n = count - done < QF_CHUNK ? count - done : QF_CHUNK;
        int rc = me == root
            ? MPI_Reduce(MPI_IN_PLACE, values + done, (int)n, MPI_DOUBLE, MPI_SUM, root, MPI_COMM_WORLD)
            : MPI_Reduce(values + done, NULL, (int)n, MPI_DOUBLE, MPI_SUM, root, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
    }
    return MPI_SUCCESS;
}
double qf_mpi_wtime(void) { return MPI_Wtime(); }
