#ifndef QUADFORM_CGMP_SHIM_H
#define QUADFORM_CGMP_SHIM_H
/* GMP (libgmp-dev) for exact synthesis (design.md §4). GMP names its functions through macros
   (mpz_add is __gmpz_add) and writes some as macros (mpz_sgn), which Swift cannot import; these
   static inline wrappers give them plain C names. */
#include <stddef.h>
#include <gmp.h>

static inline void qf_mpz_init(mpz_ptr x) { mpz_init(x); }
static inline void qf_mpz_clear(mpz_ptr x) { mpz_clear(x); }
static inline void qf_mpz_set(mpz_ptr r, mpz_srcptr x) { mpz_set(r, x); }
static inline void qf_mpz_set_si(mpz_ptr r, long x) { mpz_set_si(r, x); }
static inline void qf_mpz_swap(mpz_ptr a, mpz_ptr b) { mpz_swap(a, b); }
static inline void qf_mpz_add(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_add(r, a, b); }
static inline void qf_mpz_sub(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_sub(r, a, b); }
static inline void qf_mpz_mul(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_mul(r, a, b); }
static inline void qf_mpz_mul_si(mpz_ptr r, mpz_srcptr a, long b) { mpz_mul_si(r, a, b); }
static inline void qf_mpz_addmul(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_addmul(r, a, b); }
static inline void qf_mpz_submul(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_submul(r, a, b); }
static inline void qf_mpz_neg(mpz_ptr r, mpz_srcptr a) { mpz_neg(r, a); }
static inline void qf_mpz_abs(mpz_ptr r, mpz_srcptr a) { mpz_abs(r, a); }
static inline void qf_mpz_divexact(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_divexact(r, a, b); }
static inline int qf_mpz_divisible_p(mpz_srcptr a, mpz_srcptr d) { return mpz_divisible_p(a, d); }
static inline void qf_mpz_gcd(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_gcd(r, a, b); }
static inline void qf_mpz_lcm(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_lcm(r, a, b); }
static inline int qf_mpz_sgn(mpz_srcptr a) { return mpz_sgn(a); }
static inline int qf_mpz_cmp(mpz_srcptr a, mpz_srcptr b) { return mpz_cmp(a, b); }
static inline int qf_mpz_cmpabs(mpz_srcptr a, mpz_srcptr b) { return mpz_cmpabs(a, b); }
static inline int qf_mpz_cmp_si(mpz_srcptr a, long b) { return mpz_cmp_si(a, b); }
static inline size_t qf_mpz_sizeinbase(mpz_srcptr a, int base) { return mpz_sizeinbase(a, base); }
static inline char *qf_mpz_get_str(char *s, int base, mpz_srcptr a) { return mpz_get_str(s, base, a); }
static inline int qf_mpz_set_str(mpz_ptr r, const char *s, int base) { return mpz_set_str(r, s, base); }
static inline void qf_mpz_import(mpz_ptr r, size_t count, const void *words) { mpz_import(r, count, -1, sizeof(unsigned long), 0, 0, words); }
static inline size_t qf_mpz_limbs(mpz_srcptr a) { return mpz_size(a); }
static inline void qf_mpz_export(void *words, size_t *count, mpz_srcptr a) { mpz_export(words, count, -1, sizeof(unsigned long), 0, 0, a); }
static inline void qf_mpz_set_d(mpz_ptr r, double x) { mpz_set_d(r, x); }
static inline void qf_mpz_mul_2exp(mpz_ptr r, mpz_srcptr a, unsigned long e) { mpz_mul_2exp(r, a, e); }
static inline unsigned long qf_mpz_fdiv_ui(mpz_srcptr a, unsigned long d) { return mpz_fdiv_ui(a, d); }
static inline const char *qf_gmp_version(void) { return gmp_version; }
static inline void qf_free_string(char *s, size_t length) {
    void (*free_function)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &free_function);
    free_function(s, length);
}
#endif
