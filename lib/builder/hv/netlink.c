/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/netlink.c - dom0's network interfaces over rtnetlink, with
 * a plain NETLINK_ROUTE socket (no libnl: three requests do not need it):
 *   RTM_GETLINK by IFLA_IFNAME        look an interface up (index, MTU, its
 *                                     bridge, whether it is a bridge, up);
 *   RTM_NEWLINK IFLA_IFNAME/MTU/MASTER rename, MTU, enslave to a bridge;
 *   RTM_NEWLINK ifi_flags IFF_UP      bring it up (or down, IFLA_MASTER 0:
 *                                     off its bridge).
 * What vif-bridge does with ip(8), without a shell. Every request asks for
 * an acknowledgement, and the answer is read with a bounded wait.
 */
#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "linux.h"

#define NL_BUF     8192
#define NL_WAIT_S  2
#define NL_ATTRS   256
#define IFNAME_MAX 16 /* IFNAMSIZ */

struct link_req {
    struct nlmsghdr h;
    struct ifinfomsg i;
    char attrs[NL_ATTRS];
};

/* Append attribute @type of @len bytes; false when it does not fit. */
static bool put_attr(struct link_req *r, unsigned short type, const void *data,
                     size_t len)
{
    size_t at = NLMSG_ALIGN(r->h.nlmsg_len);
    struct rtattr *a = (struct rtattr *)((char *)r + at);

    if (at + RTA_SPACE(len) > sizeof(*r))
        return false;
    a->rta_type = type;
    a->rta_len = (unsigned short)RTA_LENGTH(len);
    memcpy(RTA_DATA(a), data, len);
    r->h.nlmsg_len = (unsigned)(at + RTA_SPACE(len));
    return true;
}

static struct link_req link_req(unsigned short type, int ifindex)
{
    return (struct link_req){
        .h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
              .nlmsg_type = type,
              .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
              .nlmsg_seq = 1},
        .i = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex},
    };
}

static int nl_open(void)
{
    struct timeval tv = {.tv_sec = NL_WAIT_S};
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

    if (fd < 0)
        return -errno;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
        int e = errno;

        close(fd);
        return -e;
    }
    return fd;
}

/*
 * One reply message of @h's batch: the acknowledgement's error (0: done),
 * or 1 to read on; a link description is copied to @reply.
 */
static int take(const struct nlmsghdr *h, void *reply, size_t size)
{
    if (h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = NLMSG_DATA(h);

        return h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)) ? -EBADMSG : e->error;
    }
    if (h->nlmsg_type == RTM_NEWLINK && reply && h->nlmsg_len <= size)
        memcpy(reply, h, h->nlmsg_len);
    return 1;
}

/* Send @r, read until its acknowledgement: 0 or the kernel's -errno. */
static int talk(struct link_req *r, void *reply, size_t size)
{
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    char buf[NL_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
    int fd = nl_open(), rc = 1;

    if (fd < 0)
        return fd;
    if (sendto(fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
        rc = -errno;
    while (rc == 1) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        size_t off = 0;

        if (n < 0) {
            rc = errno == EAGAIN ? -ETIMEDOUT : -errno;
            break;
        }
        while (rc == 1 && off + sizeof(struct nlmsghdr) <= (size_t)n) {
            const struct nlmsghdr *h = (const void *)(buf + off);

            if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > (size_t)n - off) {
                rc = -EBADMSG; /* a message running past what was read */
                break;
            }
            if (h->nlmsg_seq == r->h.nlmsg_seq)
                rc = take(h, reply, size);
            off += NLMSG_ALIGN(h->nlmsg_len);
        }
        if (rc == 1 && off == 0)
            rc = -EBADMSG; /* nothing parsed: not a netlink answer */
    }
    close(fd);
    return rc;
}

/* The link description in @h (an RTM_NEWLINK message) into @out. */
static void parse_link(const struct nlmsghdr *h, struct xb_link *out)
{
    const struct ifinfomsg *i = NLMSG_DATA(h);
    int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*i));

    *out = (struct xb_link){.ifindex = i->ifi_index, .up = (i->ifi_flags & IFF_UP) != 0};
    for (const struct rtattr *a = IFLA_RTA(i); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        unsigned payload = (unsigned)RTA_PAYLOAD(a);
        uint32_t v = 0;

        if (payload == sizeof(v))
            memcpy(&v, RTA_DATA(a), sizeof(v));
        if (a->rta_type == IFLA_MTU)
            out->mtu = v;
        else if (a->rta_type == IFLA_MASTER)
            out->master = (int)v;
        else if (a->rta_type == IFLA_LINKINFO) {
            int n = (int)payload;

            for (const struct rtattr *k = RTA_DATA(a); RTA_OK(k, n); k = RTA_NEXT(k, n))
                if (k->rta_type == IFLA_INFO_KIND && RTA_PAYLOAD(k) >= 6 &&
                    memcmp(RTA_DATA(k), "bridge", 6) == 0)
                    out->is_bridge = RTA_PAYLOAD(k) == 6 || ((char *)RTA_DATA(k))[6] == 0;
        }
    }
}

int xb__nl_link_find(struct xb_err *err, const char *name, struct xb_link *out)
{
    struct link_req r = link_req(RTM_GETLINK, 0);
    char reply[NL_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
    struct nlmsghdr *h = (void *)reply;
    int rc;

    if (!*name || strlen(name) >= IFNAME_MAX)
        return -ENODEV;
    h->nlmsg_len = 0;
    if (!put_attr(&r, IFLA_IFNAME, name, strlen(name) + 1))
        return xb_err_set(err, -EINVAL, "netlink: interface name \"%s\"", name);
    rc = talk(&r, reply, sizeof(reply));
    if (rc == -ENODEV)
        return rc;
    if (rc)
        return xb_err_set(err, rc, "netlink: look up %s: %s", name, strerror(-rc));
    if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
        return xb_err_set(err, -EBADMSG, "netlink: no description of %s", name);
    parse_link(h, out);
    return 0;
}

static int set_up(struct xb_err *err, int ifindex, bool up)
{
    struct link_req r = link_req(RTM_NEWLINK, ifindex);
    int rc;

    r.i.ifi_flags = up ? IFF_UP : 0;
    r.i.ifi_change = IFF_UP;
    rc = talk(&r, NULL, 0);
    if (rc && rc != -ENODEV)
        xb_err_set(err, rc, "netlink: interface %d %s: %s", ifindex, up ? "up" : "down",
                   strerror(-rc));
    return rc;
}

int xb__nl_link_setup(struct xb_err *err, int ifindex, const struct xb_link_cfg *cfg)
{
    struct link_req r = link_req(RTM_NEWLINK, ifindex);
    uint32_t mtu = cfg->mtu, master = (uint32_t)cfg->master;
    int rc;

    if ((cfg->name && (!*cfg->name || strlen(cfg->name) >= IFNAME_MAX ||
                       !put_attr(&r, IFLA_IFNAME, cfg->name, strlen(cfg->name) + 1))) ||
        (mtu && !put_attr(&r, IFLA_MTU, &mtu, sizeof(mtu))) ||
        (master && !put_attr(&r, IFLA_MASTER, &master, sizeof(master))))
        return xb_err_set(err, -EINVAL, "netlink: bad settings for interface %d",
                          ifindex);
    rc = talk(&r, NULL, 0);
    if (rc)
        return xb_err_set(err, rc, "netlink: interface %d: %s", ifindex, strerror(-rc));
    return set_up(err, ifindex, true);
}

int xb__nl_link_release(struct xb_err *err, int ifindex)
{
    struct link_req r = link_req(RTM_NEWLINK, ifindex);
    uint32_t none = 0;
    int rc;

    put_attr(&r, IFLA_MASTER, &none, sizeof(none));
    rc = talk(&r, NULL, 0);
    if (rc == -ENODEV)
        return rc;
    if (rc)
        return xb_err_set(err, rc, "netlink: interface %d off its bridge: %s", ifindex,
                          strerror(-rc));
    return set_up(err, ifindex, false);
}
