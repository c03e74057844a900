"""Safe outbound HTTP: what harvests, link checks and publisher look-ups use to reach other servers.

Every URL is vetted (http/https only, no loopback, private, link-local or metadata address unless
PUENTE_ALLOW_PRIVATE_URLS=true), resolved once and connected to the address that was checked; answers are
bounded in time and size, retried politely and counted.
"""
