#ifndef QUADFORM_CFLINT_SHIM_H
#define QUADFORM_CFLINT_SHIM_H
/* FLINT (libflint-dev, Debian's 2.9) for the multimodular certificates of design.md §4: nmod_mat,
   dense matrices modulo a word-size prime, with FLINT's blocked, delayed-reduction elimination.
   libflint.so links GMP and MPFR itself (no pkg-config file: the module map links "flint"; CGMP
   links "gmp"). nmod_mat_entry is a macro and nmod_mat_t an array type, which Swift cannot use
   directly; these static inline helpers give plain C names. */
#include <stdint.h>
#include <flint/flint.h>
#include <flint/nmod_mat.h>

static inline const char *qf_flint_version(void) { return FLINT_VERSION; }

static inline void qf_nmod_mat_init(nmod_mat_struct *m, long rows, long columns, unsigned long prime) {
    nmod_mat_init(m, rows, columns, prime);
}
static inline void qf_nmod_mat_clear(nmod_mat_struct *m) { nmod_mat_clear(m); }
static inline unsigned long qf_nmod_mat_get(const nmod_mat_struct *m, long i, long j) { return m->rows[i][j]; }
static inline void qf_nmod_mat_set(nmod_mat_struct *m, long i, long j, unsigned long x) { m->rows[i][j] = x; }

/* Fills m (rows × columns) with the residues mod its prime of the row-major int64 entries
   (row i starts at entries + i * stride). */
static inline void qf_nmod_mat_set_int64(nmod_mat_struct *m, const int64_t *entries, long stride) {
    const int64_t p = (int64_t)m->mod.n;
    for (long i = 0; i < m->r; i++) {
        const int64_t *row = entries + i * stride;
        mp_limb_t *out = m->rows[i];
        for (long j = 0; j < m->c; j++) {
            int64_t r = row[j] % p;
            out[j] = (mp_limb_t)(r < 0 ? r + p : r);
        }
    }
}

/* The submatrix of the int64 entries on the given rows and columns, mod m's prime (m is
   rowCount × columnCount). */
static inline void qf_nmod_mat_set_int64_indexed(nmod_mat_struct *m, const int64_t *entries, long stride,
                                                 const long *rows, const long *columns) {
    const int64_t p = (int64_t)m->mod.n;
    for (long i = 0; i < m->r; i++) {
        const int64_t *row = entries + rows[i] * stride;
        for (long j = 0; j < m->c; j++) {
            int64_t r = row[columns[j]] % p;
            m->rows[i][j] = (mp_limb_t)(r < 0 ? r + p : r);
        }
    }
}

/* Row echelon form by nmod_mat_lu (m is overwritten with L and U packed): returns the rank and
   writes the pivot column of each of U's non-zero rows to pivots (length ≥ rank). U is in row
   echelon form and L's multipliers sit left of column i in row i, so row i's pivot is its first
   non-zero entry at a column ≥ i. The pivot columns are the first maximal set of independent
   columns of the input, in order. */
static inline long qf_nmod_mat_echelon_pivots(nmod_mat_struct *m, long *pivots) {
    slong *permutation = (slong *)flint_malloc(sizeof(slong) * (size_t)(m->r > 0 ? m->r : 1));
    slong rank = nmod_mat_lu(permutation, m, 0);
    flint_free(permutation);
    for (slong i = 0; i < rank; i++) {
        slong c = i;
        while (c < m->c && m->rows[i][c] == 0) c++;
        pivots[i] = c;
    }
    return rank;
}

/* Reduced row echelon form by nmod_mat_rref (m is overwritten): the rank and the pivot columns,
   each row's first non-zero entry. */
static inline long qf_nmod_mat_rref_pivots(nmod_mat_struct *m, long *pivots) {
    slong rank = nmod_mat_rref(m);
    for (slong i = 0; i < rank; i++) {
        slong c = 0;
        while (c < m->c && m->rows[i][c] == 0) c++;
        pivots[i] = c;
    }
    return rank;
}

/* The least prime > n (FLINT proves it prime), and whether n is prime (deterministic for 64 bits). */
static inline unsigned long qf_n_nextprime(unsigned long n) { return n_nextprime(n, 1); }
static inline int qf_n_is_prime(unsigned long n) { return n_is_prime(n); }

static inline long qf_nmod_mat_rank(const nmod_mat_struct *m) { return nmod_mat_rank(m); }
static inline unsigned long qf_nmod_mat_det(const nmod_mat_struct *m) { return nmod_mat_det(m); }
/* Solves m x = b for square non-singular m; returns 0 when m is singular. */
static inline int qf_nmod_mat_solve_vec(unsigned long *x, const nmod_mat_struct *m, const unsigned long *b) {
    return nmod_mat_solve_vec(x, m, b);
}
#endif
