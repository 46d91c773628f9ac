// SPDX-License-Identifier: GPL-2.0
/*
 * An application that only attaches: it includes <mshare.h> alone and is
 * built without libnl's headers on the include path (the Makefile's
 * attach-only check, scripts/install-test), which proves that the attach
 * API needs none.  usage: mshare_attach_only NAME  (prints the size).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <mshare.h>

#ifdef NETLINK_NETLINK_H_
#error "<mshare.h> pulled in libnl's headers"
#endif

int main(int argc, char **argv)
{
	size_t size = 0;
	void *p;

	if (argc != 2) {
		fprintf(stderr, "usage: %s NAME\n", argv[0]);
		return 2;
	}
	p = mshare_attach(argv[1], MSHARE_ATTACH_F_RDONLY, &size);
	if (!p) {
		fprintf(stderr, "attach %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("%s: %zu bytes\n", argv[1], size);
	return mshare_detach(p, size) ? 1 : 0;
}
