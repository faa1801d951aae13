/* fio 3.33's jhash(name, strlen(name), 0) of these names, as its hash.h
 * computes them: data for test_fio_dist.c. */
{"", 0x61c88647u}, {"j", 0x397d994fu}, {"j.0.0", 0xd646691eu}, {"foo", 0xd0fa90f2u},
    {"abcdefghijk", 0xa84b9d9au}, {"abcdefghijkl", 0xd855beebu}, {"abcdefghijklm", 0x59536a0bu},
    {"/tmp/data/job.1.12", 0x2507401fu}, {"a-file-name-of-more-than-24-chars.0.0", 0x8bc70b0fu},
