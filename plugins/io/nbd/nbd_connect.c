/* The nbd engine's connection to one target: a libnbd handle limited to
 * what the descriptor claims, connected within connect_timeout, and what
 * the export can do (size, flush, FUA, trim, its largest request). */
#include <errno.h>
#include <stdint.h>

#include "nbd_internal.h"

static int setup_error(nbd_engine *e, nbd_conn *c, const char *what)
{
    int err = tio_nbd_last_errno();
    tio_nbd_host->log(e->self, TENON_LOG_ERROR, "%s: %s: %s", c->name, what, nbd_get_error());
    return -err;
}

int tio_nbd_connect(nbd_engine *e, nbd_conn *c, tio_file *file)
{
    struct nbd_handle *h = nbd_create();
    if (!h)
        return setup_error(e, c, "cannot create a libnbd handle");
    c->h = h;
    if (!nbd_supports_uri(h)) {
        tio_nbd_host->log(e->self, TENON_LOG_ERROR,
                          "%s: this libnbd was built without URI support (libxml2)", c->name);
        return -EPROTONOSUPPORT;
    }
    if (e->tls == LIBNBD_TLS_REQUIRE && !nbd_supports_tls(h)) {
        tio_nbd_host->log(e->self, TENON_LOG_ERROR,
                          "%s: tls=require, but this libnbd was built without TLS support",
                          c->name);
        return -EPROTONOSUPPORT;
    }
    /* Only what the descriptor claims: TCP and Unix sockets, with or
     * without TLS. Never a subprocess or vsock, and no local files named
     * in the URI's query (tls-psk-file=): those come from options. */
    if (nbd_set_uri_allow_transports(h, LIBNBD_ALLOW_TRANSPORT_TCP |
                                            LIBNBD_ALLOW_TRANSPORT_UNIX) == -1 ||
        nbd_set_uri_allow_tls(h, e->tls) == -1 ||
        nbd_set_uri_allow_local_file(h, false) == -1 ||
        nbd_set_request_structured_replies(h, e->structured_replies) == -1 ||
        /* tenon-io's buffers are always initialized: skip libnbd's memset
         * of every read buffer. */
        nbd_set_pread_initialize(h, false) == -1 ||
        nbd_set_tls_verify_peer(h, e->tls_verify_peer) == -1 ||
        (e->tls_certificates && nbd_set_tls_certificates(h, e->tls_certificates) == -1) ||
        (e->tls_psk_file && nbd_set_tls_psk_file(h, e->tls_psk_file) == -1) ||
        (e->tls_username && nbd_set_tls_username(h, e->tls_username) == -1) ||
        (e->debug && nbd_set_debug(h, true) == -1))
        return setup_error(e, c, "cannot configure the connection");

    uint64_t start = eng_now_ns();
    uint64_t deadline = e->connect_timeout_ns ? start + e->connect_timeout_ns : NO_DEADLINE;
    if (nbd_aio_connect_uri(h, file->name) == -1)
        return setup_error(e, c, "cannot connect");
    while (!nbd_aio_is_ready(h)) {
        if (nbd_aio_is_dead(h) || nbd_aio_is_closed(h)) {
            tio_nbd_host->log(e->self, TENON_LOG_ERROR,
                              "%s: cannot connect: the server closed the "
                              "connection during the handshake",
                              c->name);
            return -ECONNRESET;
        }
        uint64_t now = eng_now_ns();
        if (now >= deadline) {
            tio_nbd_host->log(e->self, TENON_LOG_ERROR,
                              "%s: cannot connect: no answer from the server within %.1f s "
                              "(connect_timeout)",
                              c->name, (double)e->connect_timeout_ns / 1e9);
            return -ETIMEDOUT;
        }
        int ms = -1;
        if (deadline != NO_DEADLINE) {
            uint64_t left = (deadline - now + 999999) / 1000000;
            ms = left > 60000 ? 60000 : (int)left;
        }
        if (nbd_poll(h, ms) == -1)
            return setup_error(e, c, "cannot connect");
    }

    int64_t size = nbd_get_size(h);
    if (size < 0)
        return setup_error(e, c, "cannot read the export's size");
    if ((file->open_flags & TIO_OPEN_WRITE) && nbd_is_read_only(h) == 1) {
        tio_nbd_host->log(e->self, TENON_LOG_ERROR,
                          "%s: the export is read-only and the job writes to it", c->name);
        return -EROFS;
    }
    c->can_flush = nbd_can_flush(h) == 1;
    c->can_fua = nbd_can_fua(h) == 1;
    c->can_trim = nbd_can_trim(h) == 1;
    int64_t max = nbd_get_block_size(h, LIBNBD_SIZE_MAXIMUM);
    c->max_request = max > 0 ? (uint64_t)max : NBD_DEFAULT_MAX_REQUEST;
    if (e->max_request && e->max_request < c->max_request)
        c->max_request = e->max_request;
    file->size = (uint64_t)size;
    return 0;
}
