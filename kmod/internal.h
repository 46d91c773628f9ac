/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by the files of mshare.ko.  Each file owns one
 * responsibility; this header is the only coupling between them.
 */
#ifndef MSHARE_INTERNAL_H
#define MSHARE_INTERNAL_H

#include <linux/mshare.h>

/* device.c: the /dev/mshare misc device and its file operations */
int mshare_dev_init(void);
void mshare_dev_exit(void);

/* netlink.c: the "mshare" generic netlink family */
int mshare_nl_init(void);
void mshare_nl_exit(void);

#endif /* MSHARE_INTERNAL_H */
