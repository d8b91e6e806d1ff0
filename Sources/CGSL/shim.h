#ifndef POOLSIM_CGSL_SHIM_H
#define POOLSIM_CGSL_SHIM_H
/* Inline versions of gsl_rng_uniform and friends (GSL's own HAVE_INLINE switch). */
#define HAVE_INLINE 1
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_histogram.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_multimin.h>

/* Swift 6 rejects C globals as not concurrency-safe: reach the generator types through accessors. */
static inline const gsl_rng_type *poolsim_rng_taus2(void) { return gsl_rng_taus2; }
static inline const gsl_rng_type *poolsim_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_root_fsolver_type *poolsim_root_brent(void) { return gsl_root_fsolver_brent; }
static inline const gsl_multimin_fminimizer_type *poolsim_multimin_nmsimplex2(void) { return gsl_multimin_fminimizer_nmsimplex2; }
#endif
