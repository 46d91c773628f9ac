/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmshare, attach API: map an mshare domain into this process and unmap
 * it.  This header needs only the C library and the kernel's uapi header
 * <linux/mshare.h> (installed next to it): no libnl.  Creating, destroying
 * and querying domains is the management API of <mshare_nl.h> (libnl-3),
 * listening to events too.  Manual: libmshare(3), mshare_attach(3).
 *
 * Error convention of the whole library (libmshare(3), "RETURN VALUE"):
 *  - a function returning a pointer returns NULL and sets errno on failure;
 *  - mshare_detach() returns 0, or -1 and sets errno (as munmap() does);
 *  - every other function returning int returns >= 0 on success and
 *    -errno on failure, errno itself being left alone.
 * No function encodes an error in a pointer.
 *
 * Thread safety: mshare_attach() and mshare_detach() may be called from any
 * number of threads at once.  (A management handle, <mshare_nl.h>, must not
 * be used by two threads at the same time.)
 */
#ifndef MSHARE_H
#define MSHARE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/mshare.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Attach domain @name ("NAME", or "#ID": the domain's id in decimal, which
 * also reaches a domain whose name was deleted): open /dev/mshare, attach,
 * and map the whole domain MAP_SHARED, PROT_READ | PROT_WRITE, or PROT_READ
 * with MSHARE_ATTACH_F_RDONLY in @flags.  Returns the address and stores
 * the mapping's length in *@size (@size may be NULL); the descriptor is
 * closed at once (the mapping keeps the domain).  On failure returns NULL
 * with errno set: EINVAL (@name NULL, too long or invalid; unknown @flags),
 * ENOENT (no such domain, or the module is not loaded), EACCES (the
 * domain's mode refuses the caller), ENOMEM..., as in mshare_attach(3).
 */
void *mshare_attach(const char *name, unsigned int flags, size_t *size);

/*
 * Unmap what mshare_attach() mapped (@addr and @size as it returned them).
 * 0, or -1 with errno set (EINVAL: @addr not page-aligned, @size 0).
 */
int mshare_detach(void *addr, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* MSHARE_H */
