"""Pure numpy kernels: float arrays in fixed units in, float arrays out (no pint, pandas or I/O).

- :mod:`meshcost.kernels.scenario`: the checked scenario as arrays;
- :mod:`meshcost.kernels.usage`: instances, memory and CPU per component from coefficients,
  with a leading band axis (low / typical / high, or Monte Carlo samples);
- :mod:`meshcost.kernels.latency`: lognormal hops, chains, queueing under load;
- :mod:`meshcost.kernels.money`: requests, extra nodes, monthly cost;
- :mod:`meshcost.kernels.mesh`: one mesh's figures, as the registry names them;
- :mod:`meshcost.kernels.uncertainty`: Monte Carlo over the same kernels.
"""
