"""Reference data: what meshcost knows before it sees your cluster.

- :mod:`meshcost.reference.profiles`: mesh profiles (coefficients with low / typical / high
  bands, each naming its source) and the TOML files they load from;
- :mod:`meshcost.reference.sources`: the published figures the coefficients rest on;
- :mod:`meshcost.reference.prices`: node and unit prices, currencies, months;
- :mod:`meshcost.reference.nodes`: machine shapes and what the kubelet and providers reserve;
- :mod:`meshcost.reference.data`: where the shipped data files live (``meshcost/data``).
"""
