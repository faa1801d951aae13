/* tenon keygen, sign and verify: Ed25519 signing keys and detached
 * signatures for plugin files. The work is done by libtenon (so hosts and
 * this tool agree on every byte); this file is options and messages. */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Prints the last error as "tenon CMD: message; hint": keygen and sign
 * are not lifecycle stages, so the stage prefix of tenon_error_format
 * would only confuse. */
static void print_error(const char *cmd)
{
    const tenon_error *e = tenon_last_error();
    fprintf(stderr, "tenon %s: %s%s%s\n", cmd, cli_text(e->message), e->hint[0] ? "; " : "",
            cli_text(e->hint));
}

/* ---- keygen ------------------------------------------------------------------ */

static const char keygen_help[] =
    "usage: tenon keygen [--output BASENAME] [--comment TEXT]\n"
    "\n"
    "Makes a new Ed25519 key pair for signing plugins:\n"
    "  BASENAME.pub  the public key (mode 0644). Hosts that trust it load the\n"
    "                plugins it signed: give it to them (a keys folder, or\n"
    "                tenon_registry_trust_key).\n"
    "  BASENAME.key  the secret key (mode 0600). Anyone who can read it can sign\n"
    "                plugins as you: keep it private, never install it on hosts.\n"
    "Existing files are never overwritten.\n"
    "\n"
    "options:\n"
    "  -o, --output BASENAME  where to write (default: tenon-signing)\n"
    "  -c, --comment TEXT     a note kept in both files (default: user@host and date)\n"
    "  -h, --help             show this help\n"
    "\n"
    "exit status: 0 written, 1 refused (a file exists), 2 usage error,\n"
    "3 the files could not be written.\n";

static void default_comment(char *buf, size_t size)
{
    const struct passwd *pw = getpwuid(geteuid());
    char host[256] = "localhost";
    gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    char date[32] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(date, sizeof(date), "%Y-%m-%d", &tm);
    snprintf(buf, size, "%s@%s %s", pw && pw->pw_name ? pw->pw_name : "unknown", host, date);
    /* Only printable ASCII goes into key files. */
    for (char *c = buf; *c; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
            *c = '?';
}

int cmd_keygen(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"comment", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *base = "tenon-signing";
    const char *comment = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, "o:c:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            base = optarg;
            break;
        case 'c':
            comment = optarg;
            break;
        case 'h':
            fputs(keygen_help, stdout);
            return CLI_OK;
        default:
            fputs(keygen_help, stderr);
            return CLI_USAGE;
        }
    }
    if (optind < argc || !base[0]) {
        fputs(keygen_help, stderr);
        return CLI_USAGE;
    }
    char own_comment[TENON_KEY_COMMENT_SIZE];
    if (!comment) {
        default_comment(own_comment, sizeof(own_comment));
        comment = own_comment;
    }
    tenon_public_key_info key = {.struct_size = sizeof(key)};
    int rc = tenon_key_generate_info(base, comment, &key);
    if (rc == TENON_EINVAL) {
        print_error("keygen");
        return CLI_USAGE;
    }
    if (rc < 0) {
        print_error("keygen");
        return rc == TENON_EEXISTS ? CLI_FAILED : CLI_INTERNAL;
    }
    printf("key id %s\n"
           "public key: %s.pub   give it to the hosts that should trust your plugins\n"
           "secret key: %s.key   keep it private; sign with: tenon sign --key %s.key PLUGIN\n",
           key.key_id, base, base, base);
    return CLI_OK;
}

/* ---- sign -------------------------------------------------------------------- */

static const char sign_help[] =
    "usage: tenon sign --key FILE.key PLUGIN...\n"
    "\n"
    "Signs each file with the secret key and writes the signature beside it as\n"
    "PLUGIN.sig (an older one is replaced). Sign each file exactly as it will be\n"
    "installed: hosts check its bytes, and any later change (strip, patchelf)\n"
    "breaks the signature. A file given through a symbolic link is refused: sign\n"
    "the real file, which is what hosts load.\n"
    "\n"
    "options:\n"
    "  -k, --key FILE  the secret key from tenon keygen; it must be yours and\n"
    "                  readable by you only (mode 0600 or 0400)\n"
    "  -h, --help      show this help\n"
    "\n"
    "exit status: 0 every file signed, 1 a file or the key was refused,\n"
    "2 usage error.\n";

int cmd_sign(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"key", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *key = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, "k:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'k':
            key = optarg;
            break;
        case 'h':
            fputs(sign_help, stdout);
            return CLI_OK;
        default:
            fputs(sign_help, stderr);
            return CLI_USAGE;
        }
    }
    if (!key) {
        fprintf(stderr, "tenon sign: give the secret key: --key FILE.key\n\n%s", sign_help);
        return CLI_USAGE;
    }
    if (optind >= argc) {
        fputs(sign_help, stderr);
        return CLI_USAGE;
    }
    int rc = CLI_OK;
    for (int i = optind; i < argc; i++) {
        tenon_signature_info sig = {.struct_size = sizeof(sig)};
        if (tenon_signature_sign_file_info(argv[i], key, NULL, &sig) < 0) {
            bool key_failed = strcmp(tenon_last_error()->path, key) == 0;
            print_error("sign");
            rc = CLI_FAILED;
            if (key_failed)
                break; /* the same key would fail for every file */
            continue;
        }
        char sha[65];
        for (size_t k = 0; k < sizeof(sig.signed_sha256); k++)
            snprintf(sha + 2 * k, 3, "%02x", sig.signed_sha256[k]);
        printf("signed %s -> %s.sig (key %s, sha256 %s)\n", cli_text(argv[i]),
               cli_text(argv[i]), cli_text(sig.key_id), sha);
    }
    return rc;
}

/* ---- verify ------------------------------------------------------------------ */

static const char verify_help[] =
    "usage: tenon verify [--key FILE.pub]... [--keys-dir DIR]... PLUGIN...\n"
    "\n"
    "Checks that each file has a valid signature (PLUGIN.sig, from tenon sign)\n"
    "made by one of the trusted keys. This checks content only; the owner and\n"
    "permission checks on plugin files happen when hosts load them. Key files\n"
    "and keys folders must be owned by root or by you and not writable by others,\n"
    "as hosts require.\n"
    "\n"
    "options:\n"
    "  -k, --key FILE       trust this public key (repeatable)\n"
    "  -d, --keys-dir DIR   trust every *.pub in DIR (repeatable)\n"
    "  -h, --help           show this help\n"
    "\n"
    "exit status: 0 every file verified, 1 some did not (each is printed with\n"
    "the reason) or a key could not be read, 2 usage error.\n";

typedef struct keyring {
    tenon_public_key_info *keys;
    size_t n, cap;
} keyring;

static int keyring_add_file(keyring *ring, const char *path)
{
    char abs[PATH_MAX];
    /* Absolute, so the folder checks reach up to "/". */
    if (!realpath(path, abs)) {
        fprintf(stderr, "tenon verify: cannot find key %s: %s\n", cli_text(path),
                strerror(errno));
        return CLI_FAILED;
    }
    if (ring->n == ring->cap) {
        size_t cap = ring->cap ? 2 * ring->cap : 8;
        tenon_public_key_info *keys = realloc(ring->keys, cap * sizeof(*keys));
        if (!keys)
            return CLI_INTERNAL;
        ring->keys = keys;
        ring->cap = cap;
    }
    ring->keys[ring->n].struct_size = sizeof(ring->keys[ring->n]);
    if (tenon_public_key_read_info(abs, &ring->keys[ring->n]) < 0) {
        cli_print_error(path);
        return CLI_FAILED;
    }
    ring->n++;
    return CLI_OK;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int keyring_add_dir(keyring *ring, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "tenon verify: cannot read keys folder %s: %s\n", cli_text(dir),
                strerror(errno));
        return CLI_FAILED;
    }
    char **names = NULL;
    size_t n = 0;
    int rc = CLI_OK;
    for (struct dirent *de; (de = readdir(d));) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len <= 4 || strcmp(de->d_name + len - 4, ".pub") != 0)
            continue;
        char **grown = realloc(names, (n + 1) * sizeof(*names));
        if (grown)
            names = grown;
        char *path = grown ? malloc(strlen(dir) + len + 2) : NULL;
        if (!path) {
            rc = CLI_INTERNAL;
            break;
        }
        sprintf(path, "%s/%s", dir, de->d_name);
        names[n++] = path;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), compare_strings);
    size_t before = ring->n;
    for (size_t i = 0; i < n && rc == CLI_OK; i++)
        rc = keyring_add_file(ring, names[i]);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (rc == CLI_OK && ring->n == before)
        fprintf(stderr, "tenon verify: warning: no *.pub keys in %s\n", cli_text(dir));
    return rc;
}

int cmd_verify(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"key", required_argument, NULL, 'k'},
        {"keys-dir", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *key_files[64], *key_dirs[64];
    size_t n_key_files = 0, n_key_dirs = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "k:d:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'k':
        case 'd':
            if ((opt == 'k' ? n_key_files : n_key_dirs) >= 64) {
                fprintf(stderr, "tenon verify: at most 64 --key and 64 --keys-dir options\n");
                return CLI_USAGE;
            }
            if (opt == 'k')
                key_files[n_key_files++] = optarg;
            else
                key_dirs[n_key_dirs++] = optarg;
            break;
        case 'h':
            fputs(verify_help, stdout);
            return CLI_OK;
        default:
            fputs(verify_help, stderr);
            return CLI_USAGE;
        }
    }
    if (!n_key_files && !n_key_dirs) {
        fprintf(stderr,
                "tenon verify: give the trusted keys: --key FILE.pub or --keys-dir DIR\n\n%s",
                verify_help);
        return CLI_USAGE;
    }
    if (optind >= argc) {
        fputs(verify_help, stderr);
        return CLI_USAGE;
    }
    keyring ring = {0};
    int rc = CLI_OK;
    for (size_t i = 0; i < n_key_files && rc == CLI_OK; i++)
        rc = keyring_add_file(&ring, key_files[i]);
    for (size_t i = 0; i < n_key_dirs && rc == CLI_OK; i++) {
        char abs[PATH_MAX];
        if (!realpath(key_dirs[i], abs)) {
            fprintf(stderr, "tenon verify: cannot find keys folder %s: %s\n",
                    cli_text(key_dirs[i]), strerror(errno));
            rc = CLI_FAILED;
            break;
        }
        rc = keyring_add_dir(&ring, abs);
    }
    if (rc != CLI_OK) {
        free(ring.keys);
        return rc;
    }

    size_t failed = 0;
    for (int i = optind; i < argc; i++) {
        tenon_signature_info sig = {.struct_size = sizeof(sig)};
        if (tenon_signature_verify_file_info(argv[i], NULL, ring.keys, ring.n, &sig) < 0) {
            char line[8192];
            tenon_error_format(tenon_last_error(), line, sizeof(line));
            printf("FAILED  %s\n        %s\n", cli_text(argv[i]), cli_text(line));
            failed++;
            continue;
        }
        const char *comment = "";
        for (size_t k = 0; k < ring.n; k++)
            if (strcmp(ring.keys[k].key_id, sig.key_id) == 0)
                comment = ring.keys[k].comment;
        printf("ok      %s  signed by key %s%s%s%s\n", cli_text(argv[i]), cli_text(sig.key_id),
               comment[0] ? " (" : "", cli_text(comment), comment[0] ? ")" : "");
    }
    free(ring.keys);
    if (argc - optind > 1)
        printf("%d checked, %zu failed\n", argc - optind, failed);
    return failed ? CLI_FAILED : CLI_OK;
}
