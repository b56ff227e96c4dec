/** jest setup for the third run of the conversation suites: the bank core over HTTP (its reference server). */
process.env.REBIND_TEST_BANK = 'http';
