"""Simulators of the outside systems' real protocols, on loopback (#19).

Each speaks the published protocol of one outside system (SSBTEK, Navet, BankID RP v6, the SMS
gateway, the print service's SFTP drop, the bank's files) well enough for the production adapters
to be proven against it: mutual TLS where the real service asks for it, the real request and
answer shapes, and fault modes a test can switch on (slow, down, malformed, partial answers).
They answer from the same deterministic test people as the fake registers, so a journey through
the simulators finds the same facts as one through the fakes. Never imported by production code
(the dependency rule puts `demo` on top); `manage.py run_simulators` starts them all.
"""
