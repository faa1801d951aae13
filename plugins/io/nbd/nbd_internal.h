/* What the nbd engine's files share: its per-thread state, one open
 * target, one command in flight, and the calls between them. nbd.c is the
 * engine (commands, waiting, the tio_engine table); nbd_connect.c makes a
 * connection. */
#ifndef TIO_NBD_INTERNAL_H
#define TIO_NBD_INTERNAL_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include <libnbd.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "../common/engine_util.h"

/* Bytes per command when the server states no maximum: the NBD protocol
 * says clients should not send more than 32 MiB then. Longer IOs come back
 * short and tenon-io issues the rest. */
#define NBD_DEFAULT_MAX_REQUEST (32u << 20)

/* How long close_file waits for the server to acknowledge a disconnect. A
 * server that does not answer only delays the end of the job by this. */
#define NBD_DISCONNECT_WAIT_NS (2ull * 1000000000ull)

#define NS_PER_SEC 1000000000ull
#define NO_DEADLINE UINT64_MAX

typedef struct nbd_engine nbd_engine;

/* One open target: a libnbd handle and what the engine knows about it. */
typedef struct nbd_conn {
    nbd_engine *e;
    struct nbd_handle *h;
    const char *name;          /* the target as the job names it */
    uint32_t inflight;         /* commands issued whose completion has not arrived */
    uint64_t last_progress_ns; /* last reply, or the first issue after idle */
    uint64_t max_request;
    int dead; /* errno once the connection is unusable; 0 while it works */
    bool can_flush, can_fua, can_trim;
} nbd_conn;

/* One command in flight. There is one per IO unit, found by the unit's
 * position, plus one for an IO tenon-io owns outside the units (the sync it
 * issues for fsync= and end_fsync). */
typedef struct nbd_slot {
    nbd_engine *e;
    tio_io *io;
    nbd_conn *c;
    uint64_t len; /* bytes the command moves */
    bool busy;    /* issued and not completed */
} nbd_slot;

struct nbd_engine {
    tenon_plugin *self;

    /* Options. */
    uint64_t timeout_ns; /* 0: no limit */
    uint64_t connect_timeout_ns;
    uint64_t max_request; /* 0: the server's limit */
    int tls;              /* LIBNBD_TLS_* for nbd_set_uri_allow_tls */
    const char *tls_certificates, *tls_psk_file, *tls_username;
    bool tls_verify_peer;
    bool fua, structured_replies, debug;

    /* Set up per job thread. */
    tio_io *ios;
    uint32_t n_ios;
    size_t ios_stride;  /* bytes between units in ios */
    nbd_slot *slots;    /* n_ios + 1 */
    bool inline_wait;   /* iodepth 1: queue() waits for its command */
    nbd_slot **pending; /* queued, issued at commit */
    uint32_t n_pending;
    tio_io **ring; /* completed, not yet returned by getevents */
    uint32_t ring_cap, ring_head, ring_tail;
    nbd_conn **conns;
    struct pollfd *pfds;
    nbd_conn **pconns; /* the connection behind each pfds entry */
    uint32_t n_conns;
};

/* The host's API table, set by the plugin's init. */
extern const tenon_host_api *tio_nbd_host;

/* The errno of libnbd's last failure on this thread, never 0. */
static inline int tio_nbd_last_errno(void)
{
    int err = nbd_get_errno();
    return err > 0 ? err : EIO;
}

/* Connects c to file->name, within connect_timeout, and learns what the
 * export can do. Returns 0 or -errno, having said why through the host's
 * log. */
int tio_nbd_connect(nbd_engine *e, nbd_conn *c, tio_file *file);

#endif
