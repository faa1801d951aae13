// A host written in C++ that finds the C++ counter plugin (in a folder, or
// linked in statically), makes instances of its interface and calls them.
//
// usage: counter-host PLUGIN_NAME [DIR]   (no DIR: the plugin is static)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <tenon/tenon.h>

#include "counter.h"

namespace {

int failures = 0;

void check(bool ok, const std::string &what)
{
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
    if (!ok)
        failures++;
}

struct registry_deleter {
    void operator()(tenon_registry *reg) const
    {
        tenon_registry_free(reg);
    }
};
struct options_deleter {
    void operator()(tenon_options *opts) const
    {
        tenon_options_free(opts);
    }
};
struct instance_deleter {
    void operator()(tenon_instance *inst) const
    {
        tenon_instance_free(inst);
    }
};
using registry_ptr = std::unique_ptr<tenon_registry, registry_deleter>;
using options_ptr = std::unique_ptr<tenon_options, options_deleter>;
using instance_ptr = std::unique_ptr<tenon_instance, instance_deleter>;

std::string last_error()
{
    const tenon_error *e = tenon_last_error();
    return e && e->message[0] ? e->message : "(no message)";
}

instance_ptr make_counter(tenon_registry *reg, const char *plugin, const char *label)
{
    tenon_options *raw = nullptr;
    if (tenon_options_new(&raw) != 0)
        return nullptr;
    options_ptr opts(raw);
    if (label && tenon_options_set(opts.get(), "label", label, "counter-host") != 0)
        return nullptr;
    tenon_instance *inst = nullptr;
    int rc = tenon_instance_new(reg, plugin, TEST_COUNTER, nullptr, opts.get(), &inst);
    check(rc == 0, std::string("instance of ") + plugin + (rc ? ": " + last_error() : ""));
    return instance_ptr(inst);
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: counter-host PLUGIN_NAME [DIR]\n");
        return 2;
    }
    const char *name = argv[1];
    const bool is_static = argc == 2;
    unsigned flags = TENON_REGISTRY_NO_ENV | TENON_REGISTRY_NO_DEFAULT_PATH;
    if (!is_static)
        flags |= TENON_REGISTRY_NO_STATIC;

    tenon_registry *raw = nullptr;
    if (tenon_registry_create("tenon-cxx-test", flags, &raw) != 0) {
        std::printf("FAIL cannot create a registry: %s\n", last_error().c_str());
        return 1;
    }
    registry_ptr reg(raw);
    if (!is_static) {
        check(tenon_registry_add_path(reg.get(), argv[2]) == 0, std::string("add ") + argv[2]);
        check(tenon_registry_scan(reg.get()) > 0, "scan finds plugins");
    }

    tenon_plugin *p = tenon_registry_find(reg.get(), name);
    check(p != nullptr, std::string("plugin ") + name + " is known");
    if (!p)
        return 1;
    check(tenon_plugin_is_static(p) == is_static, is_static ? "it is static" : "it is dynamic");
    const tenon_plugin_desc *d = tenon_plugin_descriptor(p);
    check(d && std::strcmp(d->version, "1.2.3") == 0, "version 1.2.3");
    check(d && d->flags == TENON_PLUGIN_UNLOADABLE, "flags UNLOADABLE");
    check(d && d->n_deps == 0, "no deps");
    check(d && d->n_provides == 1 && d->provides[0].rank == 7,
          "provides one interface at rank 7");
    const char *language = d ? tenon_descriptor_meta(d, "language") : nullptr;
    check(language && std::strcmp(language, "C++") == 0, "meta language=C++");

    int rc = tenon_registry_load(reg.get(), name, nullptr);
    check(rc == 0, std::string("load") + (rc ? ": " + last_error() : ""));

    {
        instance_ptr a = make_counter(reg.get(), name, "apples");
        instance_ptr b = make_counter(reg.get(), name, nullptr);
        if (!a || !b)
            return 1;
        auto table = static_cast<const test_counter *>(tenon_instance_table(a.get()));
        void *da = tenon_instance_data(a.get());
        void *db = tenon_instance_data(b.get());
        check(table->add(da, "40") == 0 && table->add(da, "2") == 0, "add 40 and 2");
        check(table->total(da) == 42, "total 42");
        // The plugin's std::stoll throws; the plugin catches it.
        check(table->add(da, "forty") == TENON_EINVAL, "\"forty\" is refused");
        check(std::strlen(table->last_error(da)) > 0,
              std::string("with a reason: ") + table->last_error(da));
        check(table->add(da, "99999999999999999999") == TENON_EINVAL, "overflow is refused");
        check(table->add(da, "7x") == TENON_EINVAL, "\"7x\" is refused");
        check(table->total(da) == 42, "total still 42");
        check(std::strcmp(table->label(da), "apples") == 0,
              "label option reaches the instance");
        check(std::strcmp(table->label(db), "count") == 0, "label defaults to \"count\"");
        check(table->total(db) == 0, "instances are separate");
    } // instances freed: the plugin destroys its C++ objects

    if (!is_static) {
        rc = tenon_plugin_unload(p);
        check(rc == 0, std::string("unload") + (rc ? ": " + last_error() : ""));
    }
    reg.reset();
    std::printf("%s\n", failures ? "FAILED" : "PASSED");
    return failures ? 1 : 0;
}
