"""The shared kernel: what every app may import, and which imports no app of the project.

`kernel.events` is how a lower layer sets off a higher one without importing it (ADR 0012).
"""
