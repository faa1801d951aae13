/* tenon-io: an fio-compatible storage benchmark whose IO engines are tenon
 * plugins. The program itself is tio_main (io/core/program.c), so tests and
 * fuzzers can run it in-process. */
#include "core/host.h"

int main(int argc, char **argv)
{
    return tio_main(argc, argv, NULL);
}
