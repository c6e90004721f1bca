"""Dtype names as PyTorch spells them; each is a NumPy dtype (CuPy uses the same)."""
import numpy

float16 = half = numpy.dtype("float16")
float32 = numpy.dtype("float32")
float64 = double = numpy.dtype("float64")
int8, int32 = numpy.dtype("int8"), numpy.dtype("int32")
int16 = short = numpy.dtype("int16")
int64 = long = numpy.dtype("int64")
uint8 = numpy.dtype("uint8")
bool_ = numpy.dtype("bool")
