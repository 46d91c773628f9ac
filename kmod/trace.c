// SPDX-License-Identifier: GPL-2.0
/*
 * The instances of mshare's tracepoints (kmod/trace.h): the one file that
 * defines CREATE_TRACE_POINTS.  Documentation/tracing.rst shows how to use
 * them.
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
