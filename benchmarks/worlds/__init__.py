"""Held-out synthetic worlds for benchmarking linkmiskin (independent of ``linkmiskin.synthetic.generator``)."""
