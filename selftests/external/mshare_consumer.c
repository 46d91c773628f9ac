// SPDX-License-Identifier: GPL-2.0
/*
 * A program outside the tree: scripts/install-test builds it only with
 * `pkg-config --cflags --libs libmshare` (shared) and with --static, against
 * an installed libmshare, and the VM runs both (scripts/guest/install-check.sh).
 * It creates a domain, attaches it, writes and reads it back, detaches and
 * destroys it.  Exits 0 when all of that worked.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <mshare_nl.h>

#define SIZE	(4UL << 20)

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "consumer";
	struct mshare_domain_info info = MSHARE_INIT(info);
	struct mshare_module_info mod = MSHARE_INIT(mod);
	struct mshare_nl *nl;
	unsigned long i;
	size_t size = 0;
	int err, rc = 1;
	char *p;

	nl = mshare_nl_open();
	if (!nl) {
		fprintf(stderr, "consumer: mshare_nl_open: %s\n", strerror(errno));
		return 1;
	}
	err = mshare_module_info(nl, &mod);
	if (err || mod.abi_version != MSHARE_GENL_VERSION) {
		fprintf(stderr, "consumer: module info: %s, ABI %u (built for %u)\n",
			strerror(-err), mod.abi_version, MSHARE_GENL_VERSION);
		goto close;
	}
	err = mshare_domain_create(nl, name, SIZE, NULL, &info);
	if (err) {
		fprintf(stderr, "consumer: create %s: %s\n", name, strerror(-err));
		goto close;
	}
	p = mshare_attach(name, 0, &size);
	if (!p) {
		fprintf(stderr, "consumer: attach %s: %s\n", name,
			strerror(errno));
		goto destroy;
	}
	for (i = 0; i < size; i += 4096)
		p[i] = (char)(i >> 12);
	for (i = 0; i < size; i += 4096)
		if (p[i] != (char)(i >> 12))
			break;
	if (size != SIZE || i != size)
		fprintf(stderr, "consumer: size %zu, read back %lu bytes\n", size, i);
	else
		rc = 0;
	if (mshare_detach(p, size)) {
		fprintf(stderr, "consumer: detach: %s\n", strerror(errno));
		rc = 1;
	}
destroy:
	err = mshare_domain_destroy(nl, name);
	if (err) {
		fprintf(stderr, "consumer: destroy %s: %s\n", name, strerror(-err));
		rc = 1;
	}
close:
	mshare_nl_close(nl);
	if (!rc)
		printf("consumer: %s: created, attached, wrote and read %zu bytes, destroyed\n",
		       name, size);
	return rc;
}
