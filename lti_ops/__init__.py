"""lti_ops: linear time-invariant state-space primitives on any Array-API array.

The math is written once against the Python Array API (NumPy, CuPy, torch, JAX,
array_api_strict, ...); accelerated kernels live in the ``lti_ops_numba`` and
``lti_ops_cupy`` packages and are chosen by the ``kernel=`` keyword of hot primitives.
"""

from .discretize import d2c, discretize
from .fftconv import fftconv, kernel_from_samples, next_fast_len
from .hankel import (
    epsilon_rank,
    gramians,
    hankel_matrix,
    hankel_matvec,
    hankel_rmatvec,
    hankel_singular_values,
    mcmillan_degree,
)
from .norms import h2_norm, hankel_norm, hinf_norm, linf_norm
from .bode import bode
from .realization import balanced_realization, balanced_truncation, modred, realize
from .random_systems import random_state_space
from .interconnect import append, feedback, lft, parallel, series
from .hippo import hippo, init_dt, nplr, rank_correction, s4d_init
from .hope import (
    HopeFit,
    hope_conv,
    hope_from_kernel,
    hope_from_state_space,
    hope_init,
    hope_kernel,
    hope_to_state_space,
    hope_transfer,
    hope_transfer_at,
    memory_window,
    mobius,
    mobius_nodes,
)
from .markov import c_from_c_tilde, c_tilde, double_c_tilde, markov_parameters, ssm_kernel
from .recurrence import scan, simulate, step
from .responses import impulse_response, step_response
from .transfer import bilinear_nodes, frequency_response, roots_of_unity, transfer_function
from .systems import DPLR, Diagonal, StateSpace, diagonalize
from .polynomial import from_transfer_function, from_zpk, to_transfer_function, to_zpk
from .zeros import zeros

__version__ = "0.1.0.dev0"

from . import _pytree  # noqa: E402

_pytree.register_if_loaded()  # the containers as JAX pytrees, if JAX is already imported

__all__ = [
    # Hankel operator, norms and realizations
    "balanced_realization",
    "balanced_truncation",
    "epsilon_rank",
    "gramians",
    "h2_norm",
    "hankel_matrix",
    "hankel_matvec",
    "hankel_norm",
    "hankel_rmatvec",
    "hankel_singular_values",
    "hinf_norm",
    "linf_norm",
    "mcmillan_degree",
    "modred",
    "realize",
    # HOPE
    "HopeFit",
    "hope_conv",
    "hope_from_kernel",
    "hope_from_state_space",
    "hope_init",
    "hope_kernel",
    "hope_to_state_space",
    "hope_transfer",
    "hope_transfer_at",
    "memory_window",
    "mobius",
    "mobius_nodes",
    # interconnection
    "append",
    "feedback",
    "lft",
    "parallel",
    "series",
    # everything else
    "DPLR",
    "Diagonal",
    "StateSpace",
    "bilinear_nodes",
    "bode",
    "c_from_c_tilde",
    "c_tilde",
    "d2c",
    "diagonalize",
    "discretize",
    "double_c_tilde",
    "fftconv",
    "frequency_response",
    "hippo",
    "impulse_response",
    "init_dt",
    "kernel_from_samples",
    "markov_parameters",
    "next_fast_len",
    "nplr",
    "random_state_space",
    "rank_correction",
    "roots_of_unity",
    "s4d_init",
    "scan",
    "simulate",
    "ssm_kernel",
    "step",
    "step_response",
    "transfer_function",
    # zeros and polynomial representations (issue 18)
    "from_transfer_function",
    "from_zpk",
    "to_transfer_function",
    "to_zpk",
    "zeros",
]
