/** jest setup for the second run of the conversation suites: every store on Redis. */
process.env.REBIND_TEST_STORAGE = 'redis';
