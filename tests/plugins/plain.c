/* A shared library that is not a plugin: no descriptor at all. */
int fixture_plain_answer(void);

int fixture_plain_answer(void)
{
    return 42;
}
