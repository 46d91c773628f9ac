// SPDX-License-Identifier: LGPL-2.1-or-later
/* libmshare, attach API: see mshare.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mshare.h"

void *mshare_attach(const char *name, unsigned int flags, size_t *size)
{
	struct mshare_attach at = { .flags = flags };
	struct mshare_info info;
	void *p = NULL;
	int fd, err;

	if (!name || strlen(name) >= sizeof(at.name) ||
	    (flags & ~MSHARE_ATTACH_F_ALL)) {
		errno = EINVAL;
		return NULL;
	}
	strcpy(at.name, name);
	fd = open("/dev/" MSHARE_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (ioctl(fd, MSHARE_IOC_ATTACH, &at) || ioctl(fd, MSHARE_IOC_INFO, &info))
		goto out;
	p = mmap(NULL, info.size, (flags & MSHARE_ATTACH_F_RDONLY) ? PROT_READ :
		 PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		p = NULL;
		goto out;
	}
	if (size)
		*size = info.size;
out:
	err = errno;
	close(fd);
	errno = err;
	return p;
}

int mshare_detach(void *addr, size_t size)
{
	return munmap(addr, size);
}
