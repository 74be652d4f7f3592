// name: schema/ping_server
// params: none
// returns: ok (1; a server that refuses even this refuses the session, e.g. its credentials)
RETURN 1 AS ok
