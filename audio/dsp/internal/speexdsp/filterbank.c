//go:build cgo

// Compiles the vendored speexdsp 1.2.1 source (src/, BSD licence in COPYING) into this package.
#include "src/filterbank.c"
