"""Explicit SIMD vectors for numba kernels.

numba has no vector types, and LLVM cannot keep an array-based lane loop in
registers across the DP recurrence, so the batch aligner writes its inner loop
with the small set of vector operations defined here as numba intrinsics. Each
emits one LLVM vector instruction (``sadd.sat``, ``smax``, loads and stores),
which LLVM lowers to AVX2 (``vpaddsb``/``vpaddsw``, ``vpmaxsb``/``vpmaxsw``) or
to whatever the host has.

Vectors are ``VECTOR_BYTES`` wide, chosen once at import from the host CPU:
64 bytes (64 lanes of int8 or 32 of int16) where it has AVX-512BW, else 32
(32 int8 or 16 int16 lanes: AVX2, or LLVM's lowering for other CPUs). The
environment variable ``SEQSIM_SIMD`` forces one: ``avx512``, ``avx2`` (the
32-byte path with AVX2's byte shuffle) or ``generic`` (32 bytes, no x86
shuffle); tests use it to check that every path the machine can run gives
the same scores.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import llvmlite.binding as llvm_binding
import numba
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, models, register_model

_HOST = llvm_binding.get_host_cpu_features()
HOST_HAS_AVX2 = bool(_HOST.get("avx2", False))
HOST_HAS_AVX512 = bool(_HOST.get("avx512bw", False) and _HOST.get("avx512f", False))
# The SIMD paths this host can run, widest first.
AVAILABLE_PATHS = (["avx512"] if HOST_HAS_AVX512 else []) + (
    ["avx2"] if HOST_HAS_AVX2 else []
) + ["generic"]  # fmt: skip


def _chosen_path() -> str:
    forced = os.environ.get("SEQSIM_SIMD", "auto").strip().lower() or "auto"
    if forced == "auto":
        return AVAILABLE_PATHS[0]
    if forced not in AVAILABLE_PATHS:
        raise RuntimeError(
            f"SEQSIM_SIMD={forced}: this CPU runs {', '.join(AVAILABLE_PATHS)} (or auto)"
        )
    return forced


SIMD_PATH = _chosen_path()
VECTOR_BYTES = 64 if SIMD_PATH == "avx512" else 32
HAS_AVX2 = SIMD_PATH in ("avx2", "avx512")


def simd_jit(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``numba.jit(**options)`` for a kernel compiled for ``SIMD_PATH``. numba's
    on-disk cache keys on the function's name, source file and CPU, not on
    the globals (``VECTOR_BYTES``) it compiles in, so each path gets its own
    name, and so its own cache entry."""

    def decorate(function: Callable[..., Any]) -> Any:
        function.__qualname__ = f"{function.__qualname__}__{SIMD_PATH}"
        return numba.jit(**options)(function)

    return decorate


class Vector(types.Type):
    """A SIMD vector of ``count`` lanes of integer ``dtype``."""

    def __init__(self, dtype: types.Integer, count: int) -> None:
        self.dtype = dtype
        self.count = count
        super().__init__(name=f"Vector({dtype}x{count})")


@register_model(Vector)
class _VectorModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        be_type = ir.VectorType(ir.IntType(fe_type.dtype.bitwidth), fe_type.count)
        super().__init__(dmm, fe_type, be_type)


def vector_of(dtype: types.Integer) -> Vector:
    return Vector(dtype, VECTOR_BYTES * 8 // dtype.bitwidth)


def _element_pointer(context, builder, array_type, array, index, vector_llvm_type):
    data = context.make_array(array_type)(context, builder, array).data
    return builder.bitcast(builder.gep(data, [index]), ir.PointerType(vector_llvm_type))


@intrinsic
def vload(typingctx, array, index):
    """The vector of ``array``'s dtype starting at flat element ``index`` (unaligned)."""
    vector = vector_of(array.dtype)

    def codegen(context, builder, sig, args):
        vty = context.get_value_type(vector)
        ptr = _element_pointer(context, builder, sig.args[0], args[0], args[1], vty)
        return builder.load(ptr, align=1)

    return vector(array, index), codegen


@intrinsic
def vstore(typingctx, array, index, value):
    """Store ``value`` at flat element ``index`` of ``array`` (unaligned)."""

    def codegen(context, builder, sig, args):
        ptr = _element_pointer(context, builder, sig.args[0], args[0], args[1], args[2].type)
        builder.store(args[2], ptr, align=1)
        return context.get_dummy_value()

    return types.void(array, index, value), codegen


@intrinsic
def vsplat(typingctx, dtype_source, value):
    """A vector of ``dtype_source``'s dtype (an array) with every lane ``value``."""
    vector = vector_of(dtype_source.dtype)

    def codegen(context, builder, sig, args):
        vty = context.get_value_type(vector)
        scalar = context.cast(builder, args[1], sig.args[1], vector.dtype)
        undef = ir.Constant(vty, ir.Undefined)
        one = builder.insert_element(undef, scalar, ir.Constant(ir.IntType(32), 0))
        mask = ir.Constant(ir.VectorType(ir.IntType(32), vty.count), [0] * vty.count)
        return builder.shuffle_vector(one, undef, mask)

    return vector(dtype_source, value), codegen


def _llvm_call(builder, name, return_type, args):
    fnty = ir.FunctionType(return_type, [a.type for a in args])
    fn = cgutils.get_or_insert_function(builder.module, fnty, name)
    return builder.call(fn, args)


def _vector_suffix(vty) -> str:
    return f"v{vty.count}i{vty.element.width}"


def _binary_intrinsic(llvm_name: str, doc: str):
    @intrinsic
    def operation(typingctx, a, b):
        if not isinstance(a, Vector) or a != b:
            return None

        def codegen(context, builder, sig, args):
            vty = args[0].type
            return _llvm_call(builder, f"llvm.{llvm_name}.{_vector_suffix(vty)}", vty, args)

        return a(a, b), codegen

    operation.__doc__ = doc
    return operation


vadds = _binary_intrinsic("sadd.sat", "Lane-wise saturating signed add.")
vmax = _binary_intrinsic("smax", "Lane-wise signed maximum.")


@intrinsic
def vhmax(typingctx, a):
    """The largest lane."""

    def codegen(context, builder, sig, args):
        vty = args[0].type
        name = f"llvm.vector.reduce.smax.{_vector_suffix(vty)}"
        return _llvm_call(builder, name, vty.element, args)

    return a.dtype(a), codegen


@intrinsic
def vlane(typingctx, a, index):
    """Lane ``index`` as a scalar."""

    def codegen(context, builder, sig, args):
        index32 = builder.trunc(args[1], ir.IntType(32))
        return builder.extract_element(args[0], index32)

    return a.dtype(a, index), codegen


@intrinsic
def vany_ge(typingctx, a, b):
    """True when any lane of ``a`` is >= the same lane of ``b``."""

    def codegen(context, builder, sig, args):
        mask = builder.icmp_signed(">=", args[0], args[1])
        bits = builder.bitcast(mask, ir.IntType(args[0].type.count))
        return builder.icmp_unsigned("!=", bits, ir.Constant(bits.type, 0))

    return types.boolean(a, b), codegen


def _shuffle_bytes(builder, table, index):
    """``out[l] = table[index[l] & 15]`` within each 16-byte block, or 0 where
    ``index[l]`` has its top bit set (x86 ``pshufb`` semantics)."""
    if SIMD_PATH == "avx512":
        return _llvm_call(builder, "llvm.x86.avx512.pshuf.b.512", table.type, [table, index])
    if SIMD_PATH == "avx2":
        return _llvm_call(builder, "llvm.x86.avx2.pshuf.b", table.type, [table, index])
    # Portable fallback: the same semantics lane by lane.
    out = ir.Constant(table.type, [0] * table.type.count)
    i8 = ir.IntType(8)
    for lane in range(table.type.count):
        position = ir.Constant(ir.IntType(32), lane)
        code = builder.extract_element(index, position)
        half = (lane // 16) * 16
        local = builder.add(builder.and_(code, ir.Constant(i8, 15)), ir.Constant(i8, half))
        value = builder.extract_element(table, builder.zext(local, ir.IntType(32)))
        negative = builder.icmp_signed("<", code, ir.Constant(i8, 0))
        value = builder.select(negative, ir.Constant(i8, 0), value)
        out = builder.insert_element(out, value, position)
    return out


@intrinsic
def vscores(typingctx, tables, row, codes, dtype_source):
    """Substitution scores of residue ``row`` against ``VECTOR_BYTES`` target
    residue ``codes``.

    ``tables`` is an int8 array holding, for each row, 64 bytes: the row's
    scores for codes 0-15 twice (one copy per 16-byte half), then for codes
    16-31 twice; 64-byte vectors repeat each 32-byte table. ``codes`` is the
    vector of target codes (uint8 as int8). Returns a vector of
    ``dtype_source``'s dtype: the int8 scores, or the first half of them
    widened to int16.
    """
    vector = vector_of(dtype_source.dtype)

    def codegen(context, builder, sig, args):
        n = VECTOR_BYTES
        i8x32 = ir.VectorType(ir.IntType(8), 32)
        i8xn = ir.VectorType(ir.IntType(8), n)
        data = context.make_array(sig.args[0])(context, builder, args[0]).data
        offset = builder.mul(args[1], ir.Constant(args[1].type, 64))

        def table(at):
            pointer = builder.gep(data, [builder.add(offset, ir.Constant(offset.type, at))])
            half = builder.load(builder.bitcast(pointer, ir.PointerType(i8x32)), align=1)
            if n == 32:
                return half
            twice = ir.Constant(ir.VectorType(ir.IntType(32), 64), list(range(32)) * 2)
            return builder.shuffle_vector(half, half, twice)

        codes = args[2]
        # Codes 0-15 look up the low table (index 0x70-0x7f keeps the top bit
        # clear); codes >= 16 saturate past 0x7f, so the low lookup gives 0.
        low_index = _llvm_call(
            builder, f"llvm.uadd.sat.v{n}i8", i8xn, [codes, ir.Constant(i8xn, [0x70] * n)]
        )
        # code - 16 is negative (top bit set, lookup 0) exactly for codes < 16.
        high_index = builder.sub(codes, ir.Constant(i8xn, [16] * n))
        scores = builder.add(
            _shuffle_bytes(builder, table(0), low_index),
            _shuffle_bytes(builder, table(32), high_index),
        )
        if vector.dtype.bitwidth == 8:
            return scores
        half = ir.Constant(ir.VectorType(ir.IntType(32), n // 2), list(range(n // 2)))
        low = builder.shuffle_vector(scores, ir.Constant(i8xn, ir.Undefined), half)
        return builder.sext(low, context.get_value_type(vector))

    return vector(tables, row, codes, dtype_source), codegen


@intrinsic
def vselect_gt(typingctx, a, b, if_greater, otherwise):
    """Lane-wise ``if_greater if a > b else otherwise`` (signed compare)."""

    def codegen(context, builder, sig, args):
        mask = builder.icmp_signed(">", args[0], args[1])
        return builder.select(mask, args[2], args[3])

    return if_greater(a, b, if_greater, otherwise), codegen
