"""Scale benchmarks for dealterm. Not collected by pytest; each module prints its figures."""
