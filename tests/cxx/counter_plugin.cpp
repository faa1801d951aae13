// A plugin written in C++: C++ objects as instance data, the standard
// library inside, and exceptions thrown and caught in the plugin's own code.
// No exception crosses into the host: every function the host calls is
// noexcept and turns a failure into a tenon error code.
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include <tenon/plugin.h>

#include "counter.h"

#ifndef COUNTER_NAME
#define COUNTER_NAME cxx_counter
#endif
/* Expands COUNTER_NAME before TENON_PLUGIN stringifies it. */
#define COUNTER_PLUGIN(name, describe, code) TENON_PLUGIN(name, describe, code)

namespace {

const tenon_host_api *host;

class Counter {
  public:
    explicit Counter(std::string label) : label_(std::move(label))
    {
    }

    void add(const std::string &text)
    {
        std::size_t used = 0;
        long long value = std::stoll(text, &used); // throws on "abc", overflow
        if (used != text.size())
            throw std::invalid_argument("\"" + text + "\" has characters after the number");
        values_.push_back(value);
    }

    long long total() const
    {
        long long sum = 0;
        for (long long v : values_)
            sum += v;
        return sum;
    }

    const std::string &label() const
    {
        return label_;
    }
    std::string last_error;

  private:
    std::string label_;
    std::vector<long long> values_;
};

int counter_add(void *data, const char *text) noexcept
{
    Counter *c = static_cast<Counter *>(data);
    try {
        c->add(text);
        c->last_error.clear();
        return 0;
    } catch (const std::exception &e) {
        try {
            c->last_error = e.what();
        } catch (...) {
        }
        return TENON_EINVAL;
    }
}

long long counter_total(void *data) noexcept
{
    return static_cast<Counter *>(data)->total();
}

const char *counter_label(void *data) noexcept
{
    return static_cast<Counter *>(data)->label().c_str();
}

const char *counter_last_error(void *data) noexcept
{
    return static_cast<Counter *>(data)->last_error.c_str();
}

const test_counter counter_table = {
    sizeof(test_counter), TEST_COUNTER_VERSION, counter_add,
    counter_total,        counter_label,        counter_last_error,
};

int counter_init(tenon_plugin *self, const tenon_host_api *api) noexcept
{
    host = api;
    // An exception thrown and caught inside init: the C++ runtime works in
    // a loaded plugin.
    try {
        throw std::runtime_error("caught inside the plugin");
    } catch (const std::runtime_error &e) {
        host->log(self, TENON_LOG_INFO, "init: %s", e.what());
    }
    return 0;
}

int counter_instance_init(tenon_plugin *self, tenon_instance *instance, void *data,
                          const tenon_values *options) noexcept
{
    (void)instance;
    try {
        new (data) Counter(host->values_string(options, "label"));
        return 0;
    } catch (const std::bad_alloc &) {
        return host->fail(self, TENON_ENOMEM, "out of memory for a counter");
    }
}

void counter_instance_fini(tenon_plugin *self, tenon_instance *instance, void *data) noexcept
{
    (void)self;
    (void)instance;
    static_cast<Counter *>(data)->~Counter();
}

} // namespace

COUNTER_PLUGIN(
    COUNTER_NAME,
    TENON_DESCRIBE(
        .flags = TENON_PLUGIN_UNLOADABLE,
        .version = "1.2.3",
        .description = "adds numbers, in C++",
        .license = "MIT",
        .provides = {{TEST_COUNTER, TEST_COUNTER_VERSION, 7}},
        .options = {{.name = "label", .type = TENON_OPT_STRING, .def = "count",
                     .help = "a name the counter reports"}},
        .meta = {{"language", "C++"}},
    ),
                            TENON_CODE(
        .init = counter_init,
        TENON_IMPLEMENTS(TENON_IMPL(TEST_COUNTER, &counter_table,
                                    TENON_INSTANCE_OF(Counter),
                                    .instance_init = counter_instance_init,
                                    .instance_fini = counter_instance_fini)),
    ));
