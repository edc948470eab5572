"""Reference values from SciPy (Debian python3-scipy), computed once into src/fixtures/scipy.json
(a few bulk points per distribution) and src/fixtures/tails.json (the tail grid that
src/distributions/tails.test.ts checks on every backend). CI reads the committed JSON; SciPy is
only needed to regenerate it.

Run: python3 packages/bayes/scripts/make-fixtures.py
"""
import json
import os

import numpy as np
import scipy
from scipy import optimize, special, stats

xs_real = [-2.5, -0.3, 0.0, 0.7, 1.9, 4.2]
xs_pos = [0.05, 0.4, 1.0, 2.3, 5.5]
xs_unit = [0.02, 0.25, 0.5, 0.81, 0.97]

cases = [
    ("Normal", {"loc": 0.5, "scale": 1.7}, stats.norm(0.5, 1.7), xs_real),
    ("Uniform", {"low": -1.0, "high": 3.0}, stats.uniform(-1.0, 4.0), [-0.9, 0.0, 1.2, 2.99]),
    ("Exponential", {"rate": 1.3}, stats.expon(scale=1 / 1.3), xs_pos),
    ("Laplace", {"loc": -0.4, "scale": 0.8}, stats.laplace(-0.4, 0.8), xs_real),
    ("Logistic", {"loc": 0.2, "scale": 1.5}, stats.logistic(0.2, 1.5), xs_real),
    ("Cauchy", {"loc": 1.0, "scale": 0.6}, stats.cauchy(1.0, 0.6), xs_real),
    ("Gumbel", {"loc": 0.3, "scale": 1.2}, stats.gumbel_r(0.3, 1.2), xs_real),
    ("Weibull", {"concentration": 1.5, "scale": 2.0}, stats.weibull_min(1.5, scale=2.0), xs_pos),
    ("Gamma", {"concentration": 2.5, "rate": 1.7}, stats.gamma(2.5, scale=1 / 1.7), xs_pos),
    ("Gamma", {"concentration": 0.4, "rate": 0.9}, stats.gamma(0.4, scale=1 / 0.9), xs_pos),
    ("Beta", {"concentration1": 2.2, "concentration0": 0.7}, stats.beta(2.2, 0.7), xs_unit),
    ("Beta", {"concentration1": 0.5, "concentration0": 3.0}, stats.beta(0.5, 3.0), xs_unit),
]

out = {"distributions": [], "special": {}}
for name, params, dist, xs in cases:
    out["distributions"].append(
        {
            "name": name,
            "params": params,
            "x": xs,
            "logProb": [float(v) for v in dist.logpdf(xs)],
            "cdf": [float(v) for v in dist.cdf(xs)],
            "mean": float(dist.mean()) if np.isfinite(dist.mean()) else None,
            "variance": float(dist.var()) if np.isfinite(dist.var()) else None,
        }
    )

gx = [0.1, 0.5, 1.0, 2.5, 7.3, 30.0, 250.0]
out["special"]["x"] = gx
out["special"]["lgamma"] = [float(v) for v in special.gammaln(gx)]
out["special"]["digamma"] = [float(v) for v in special.digamma(gx)]
pairs = [(0.3, 0.1), (0.3, 2.0), (2.5, 1.0), (2.5, 6.0), (40.0, 35.0), (40.0, 48.0)]
out["special"]["gammainc"] = [{"a": a, "x": x, "p": float(special.gammainc(a, x))} for a, x in pairs]
triples = [(0.02, 2.2, 0.7), (0.5, 0.5, 3.0), (0.9, 5.0, 1.5), (0.3, 12.0, 20.0)]
out["special"]["betainc"] = [{"x": x, "a": a, "b": b, "p": float(special.betainc(a, b, x))} for x, a, b in triples]
probs = [1e-6, 0.01, 0.2, 0.5, 0.77, 0.999]
out["special"]["ndtri"] = [{"p": p, "z": float(special.ndtri(p))} for p in probs]

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "src", "fixtures", "scipy.json"), "w") as f:
    json.dump(out, f, indent=1)

# ---------------------------------------------------------------------------------------------
# Tail grid (src/fixtures/tails.json): what TFP's own tests do, a parameter grid per distribution
# with points far out in both tails. Every input is rounded to float32 first, so a reference is
# exact for the value the library actually receives; "kappa" = Σ|θ·∂y/∂θ| over all inputs is the
# absolute error that float32 rounding of the inputs alone may cause (per unit of eps32).

F32 = np.float32


def f32(v):
    return float(F32(v))


def cauchy_parts(z):
    # Float64 closed forms without the 0.5 + atan/π cancellation that scipy's cauchy.cdf has.
    lower = np.arctan2(1.0, -z) / np.pi  # P(Z ≤ z)
    upper = np.arctan2(1.0, z) / np.pi
    return lower, upper


class CauchyRef:
    def __init__(self, loc, scale):
        self.loc, self.scale = loc, scale

    def z(self, x):
        return (np.asarray(x, dtype=float) - self.loc) / self.scale

    def logpdf(self, x):
        return stats.cauchy.logpdf(x, self.loc, self.scale)

    def cdf(self, x):
        return cauchy_parts(self.z(x))[0]

    def sf(self, x):
        return cauchy_parts(self.z(x))[1]

    def logcdf(self, x):
        return np.log(self.cdf(x))

    def logsf(self, x):
        return np.log(self.sf(x))

    def ppf(self, p):
        p = np.asarray(p, dtype=float)
        with np.errstate(divide="ignore"):
            return np.where(p < 0.5, self.loc - self.scale / np.tan(np.pi * p), self.loc + self.scale / np.tan(np.pi * (1 - p)))

    def mean(self):
        return np.nan

    def var(self):
        return np.nan

    def entropy(self):
        return np.log(4 * np.pi * self.scale)


def frozen(name, p):
    if name == "Normal":
        return stats.norm(p["loc"], p["scale"])
    if name == "Uniform":
        return stats.uniform(p["low"], p["high"] - p["low"])
    if name == "Exponential":
        return stats.expon(scale=1 / p["rate"])
    if name == "Laplace":
        return stats.laplace(p["loc"], p["scale"])
    if name == "Logistic":
        return stats.logistic(p["loc"], p["scale"])
    if name == "Cauchy":
        return CauchyRef(p["loc"], p["scale"])
    if name == "Gumbel":
        return stats.gumbel_r(p["loc"], p["scale"])
    if name == "Weibull":
        return stats.weibull_min(p["concentration"], scale=p["scale"])
    if name == "Gamma":
        return stats.gamma(p["concentration"], scale=1 / p["rate"])
    if name == "Beta":
        return stats.beta(p["concentration1"], p["concentration0"])
    if name == "LogNormal":
        return stats.lognorm(p["scale"], scale=np.exp(p["loc"]))
    if name == "StudentT":
        return stats.t(p["df"], p["loc"], p["scale"])
    if name == "Poisson":
        return stats.poisson(p["rate"])
    raise ValueError(name)


def checked_ppf(d, p):
    """ppf, re-solved by bisection in log x where Boost's root finder gave up (it warns, then returns junk)."""
    x = float(d.ppf(p))
    if not (0 < p < 1) or not np.isfinite(x) or x <= 0:
        return x
    upper = p > 0.5
    target = np.log1p(-p) if upper else np.log(p)
    miss = lambda t: (float(d.logsf(np.exp(t))) if upper else float(d.logcdf(np.exp(t)))) - target
    if abs(miss(np.log(x))) < 1e-9:
        return x
    lo, hi = np.log(x) - 1.0, np.log(x) + 1.0
    while miss(lo) * miss(hi) > 0:
        lo, hi = lo - 10.0, hi + 10.0
    return float(np.exp(optimize.brentq(miss, lo, hi, xtol=1e-14, rtol=1e-15)))


def method_value(name, params, method, arg):
    d = frozen(name, params)
    with np.errstate(all="ignore"):
        if method == "logProb":
            return float(d.logpmf(arg) if name == "Poisson" else d.logpdf(arg))
        if method == "cdf":
            return float(d.cdf(arg))
        if method == "logCdf":
            return float(d.logcdf(arg))
        if method == "survivalFunction":
            return float(d.sf(arg))
        if method == "logSurvivalFunction":
            return float(d.logsf(arg))
        if method == "icdf":
            return checked_ppf(d, arg)
        if method == "mean":
            if name == "StudentT" and params["df"] <= 1:
                return np.nan  # TFP's convention (allow_nan_stats); SciPy says inf
            return float(d.mean())
        if method == "variance":
            return float(d.var())
        if method == "entropy":
            return float(d.entropy())
    raise ValueError(method)


def finite(v):
    return v is not None and np.isfinite(v)


def kappa(name, params, method, arg, y):
    """Σ over inputs of |θ ∂y/∂θ| by float64 central differences (one-sided at an edge, 0 at a jump)."""
    if not finite(y):
        return 0.0
    total = 0.0
    inputs = [("arg", arg)] if arg is not None else []
    inputs += [(k, v) for k, v in params.items()]
    h = 1e-6
    for key, v in inputs:
        if v == 0:
            continue

        def at(scale):
            if key == "arg":
                return method_value(name, params, method, v * scale)
            q = dict(params)
            q[key] = v * scale
            return method_value(name, q, method, arg)

        up, down = at(1 + h), at(1 - h)
        if finite(up) and finite(down):
            slope = (up - down) / (2 * h)
        elif finite(up):
            slope = (up - y) / h
        elif finite(down):
            slope = (y - down) / h
        else:
            slope = 0.0
        total += abs(slope)
    # An infinitely ill-conditioned point (a jump) allows any error: keep it finite for JSON.
    return total if np.isfinite(total) else 1e300


def encode(v):
    if v is None:
        return None
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


Z_REAL = [-40, -38, -20, -10, -6, -3, -1, -0.2, 0, 0.7, 2, 5, 9, 20, 38, 40]
P_GRID = [0.0, 1e-30, 1e-10, 1e-6, 1e-3, 0.1, 0.5, 0.9, 0.999, 1 - 1e-6, 1 - 2**-24, 1.0]


def loc_scale_points(zs):
    return lambda p: [p["loc"] + p["scale"] * z for z in zs]


GRID = [
    ("Normal", [{"loc": 0, "scale": 1}, {"loc": 2.5, "scale": 0.5}, {"loc": 0, "scale": 1e-6}, {"loc": -3, "scale": 1e6}, {"loc": 100, "scale": 0.01}], loc_scale_points(Z_REAL)),
    ("Uniform", [{"low": 0, "high": 1}, {"low": -1, "high": 3}, {"low": -1e6, "high": 1e6}, {"low": 5, "high": 5.001}],
     lambda p: [p["low"] + u * (p["high"] - p["low"]) for u in [-0.1, 0, 1e-7, 1e-3, 0.25, 0.5, 0.9, 0.999999, 1, 1.1]]),
    ("Exponential", [{"rate": 1}, {"rate": 0.3}, {"rate": 1e-5}, {"rate": 1e4}],
     lambda p: [q / p["rate"] for q in [-1, 0, 1e-10, 1e-6, 0.01, 0.5, 1, 3, 10, 30, 80]]),
    ("Laplace", [{"loc": 0, "scale": 1}, {"loc": -0.4, "scale": 0.8}, {"loc": 0, "scale": 1e-5}, {"loc": 5, "scale": 1e4}],
     loc_scale_points([-80, -40, -20, -5, -1, -1e-3, 0, 1e-3, 1, 5, 20, 40, 80])),
    ("Logistic", [{"loc": 0, "scale": 1}, {"loc": 0.2, "scale": 1.5}, {"loc": 0, "scale": 1e-5}, {"loc": 5, "scale": 1e4}],
     loc_scale_points([-100, -80, -40, -20, -5, -1, 0, 1, 5, 20, 40, 80, 100])),
    ("Cauchy", [{"loc": 0, "scale": 1}, {"loc": 1, "scale": 0.6}, {"loc": 0, "scale": 1e-6}, {"loc": -2, "scale": 1e5}],
     loc_scale_points([-1e10, -1e6, -1e3, -30, -3, -0.5, 0, 0.5, 3, 30, 1e3, 1e6, 1e10])),
    ("Gumbel", [{"loc": 0, "scale": 1}, {"loc": 0.3, "scale": 1.2}, {"loc": 0, "scale": 1e-4}, {"loc": 10, "scale": 1e3}],
     loc_scale_points([-5, -4.4, -3, -2, -1, 0, 1, 3, 10, 20, 40, 80])),
    ("Weibull", [{"concentration": 1.5, "scale": 2}, {"concentration": 0.3, "scale": 1}, {"concentration": 5, "scale": 1e-3}, {"concentration": 150, "scale": 1}, {"concentration": 0.05, "scale": 1e3}],
     lambda p: [-1, 0] + [p["scale"] * w ** (1 / p["concentration"]) for w in [1e-30, 1e-10, 1e-5, 0.01, 0.5, 1, 2, 10, 50, 80]]),
    ("Gamma", [{"concentration": 1, "rate": 1}, {"concentration": 2.5, "rate": 1.7}, {"concentration": 0.4, "rate": 0.9}, {"concentration": 0.05, "rate": 1}, {"concentration": 150, "rate": 2}, {"concentration": 1e4, "rate": 1}, {"concentration": 1e5, "rate": 1e-3}, {"concentration": 3, "rate": 1e5}],
     lambda p: [-1, 0] + [float(frozen("Gamma", p).ppf(q)) for q in [1e-30, 1e-10, 1e-5, 0.01, 0.3, 0.5, 0.9, 0.999]] + [float(frozen("Gamma", p).isf(q)) for q in [1e-6, 1e-10]]),
    ("Beta", [{"concentration1": 2.2, "concentration0": 0.7}, {"concentration1": 0.5, "concentration0": 3}, {"concentration1": 1, "concentration0": 1}, {"concentration1": 1, "concentration0": 3}, {"concentration1": 0.05, "concentration0": 0.05}, {"concentration1": 150, "concentration0": 300}, {"concentration1": 1e4, "concentration0": 2e4}, {"concentration1": 0.5, "concentration0": 1e3}],
     lambda p: [-0.1, 0, 1, 1.1] + [float(frozen("Beta", p).ppf(q)) for q in [1e-30, 1e-10, 1e-5, 0.01, 0.3, 0.5, 0.9, 0.999]] + [float(frozen("Beta", p).isf(q)) for q in [1e-6, 1e-10]]),
    ("LogNormal", [{"loc": 0, "scale": 1}, {"loc": 2, "scale": 0.1}, {"loc": -1, "scale": 3}, {"loc": 0, "scale": 1e-3}],
     lambda p: [-1, 0] + [float(np.exp(p["loc"] + p["scale"] * z)) for z in Z_REAL]),
    ("StudentT", [{"df": 1, "loc": 0, "scale": 1}, {"df": 3, "loc": 1, "scale": 2}, {"df": 0.5, "loc": 0, "scale": 1}, {"df": 2, "loc": 0, "scale": 1}, {"df": 30, "loc": 0, "scale": 1e-3}, {"df": 150, "loc": -2, "scale": 1e3}, {"df": 1e4, "loc": 0, "scale": 1}],
     loc_scale_points([-1e6, -1e3, -40, -10, -3, -1, -0.2, 0, 0.7, 2, 5, 20, 1e3])),
    ("Poisson", [{"rate": 3e-5}, {"rate": 0.1}, {"rate": 5}, {"rate": 150}, {"rate": 1e4}],
     lambda p: [-1, 0, 1, 2, 2.5, 5] + [float(frozen("Poisson", p).ppf(q)) for q in [1e-10, 0.01, 0.5, 0.99]] + [float(frozen("Poisson", p).isf(q)) for q in [1e-10]]),
]

X_METHODS = ["logProb", "cdf", "logCdf", "survivalFunction", "logSurvivalFunction"]
# TFP's Poisson has no quantile, and its entropy has no closed form.
SKIP = {"Poisson": {"icdf", "entropy"}}
STAT_METHODS = ["mean", "variance", "entropy"]


def tail_cdf(name, params, x):
    d = frozen(name, params)
    with np.errstate(all="ignore"):
        return min(float(d.cdf(x)), float(d.sf(x)))


def tail_grid():
    cases = []
    for name, param_sets, points in GRID:
        for raw in param_sets:
            params = {k: f32(v) for k, v in raw.items()}
            xs = sorted({f32(x) for x in points(params) if np.isfinite(x) and abs(x) < 3e38})
            for method in X_METHODS + ["icdf"] + STAT_METHODS:
                if method in SKIP.get(name, set()):
                    continue
                if method in STAT_METHODS:
                    args = [None]
                elif method == "icdf":
                    args = sorted({f32(p) for p in P_GRID})
                else:
                    args = xs
                rows = []
                for arg in args:
                    y = method_value(name, params, method, arg)
                    if method == "icdf":
                        tail = min(arg, 1 - arg) < 1e-3
                    elif arg is None:
                        tail = False
                    else:
                        tail = tail_cdf(name, params, arg) < 1e-3
                    rows.append([arg, encode(y), kappa(name, params, method, arg, y), 1 if tail else 0])
                cases.append({"name": name, "params": params, "method": method, "points": rows})
    return cases


def simplex_point(fractions):
    """Multiples of 2⁻²⁴ summing exactly to 1, so the point is the same in float32 and in SciPy."""
    units = [int(round(f * 2**24)) for f in fractions[:-1]]
    units.append(2**24 - sum(units))
    return [u / 2**24 for u in units]


def dirichlet_grid():
    cases = []
    grid = [
        ([0.5, 2.0, 7.5], [[1 / 3, 1 / 3, 1 / 3], [2**-20, 0.25, 0.75], [0.05, 0.2, 0.75], [0.9, 0.05, 0.05]]),
        ([0.05, 0.05, 0.05], [[2**-24, 2**-24, 1.0], [0.5, 0.25, 0.25], [1e-3, 0.5, 0.5]]),
        ([150.0, 300.0, 50.0], [[0.3, 0.6, 0.1], [0.25, 0.65, 0.1], [0.35, 0.5, 0.15]]),
        ([1e4, 2e4, 3e4], [[1 / 6, 1 / 3, 1 / 2], [0.17, 0.33, 0.5], [0.165, 0.335, 0.5]]),
        ([1.0, 1.0, 1.0, 1.0], [[0.25, 0.25, 0.25, 0.25], [0.7, 0.1, 0.1, 0.1]]),
    ]
    for alpha, points in grid:
        alpha = [f32(a) for a in alpha]
        d = stats.dirichlet(alpha)
        xs = [simplex_point(p) for p in points]
        rows = []
        for x in xs:
            y = float(d.logpdf(x))
            # κ over α and x; x moves along the simplex (x_i up, the last coordinate down).
            h = 1e-6
            k = 0.0
            for i in range(len(alpha)):
                up = list(alpha); up[i] *= 1 + h
                dn = list(alpha); dn[i] *= 1 - h
                k += abs((stats.dirichlet(up).logpdf(x) - stats.dirichlet(dn).logpdf(x)) / (2 * h))
            for i in range(len(x) - 1):
                step = h * x[i]
                xu = list(x); xu[i] += step; xu[-1] -= step
                xd = list(x); xd[i] -= step; xd[-1] += step
                try:
                    k += abs(x[i] * (d.logpdf(xu) - d.logpdf(xd)) / (2 * step))
                except ValueError:
                    pass
            rows.append([x, y, k])
        stats_rows = {
            "mean": [float(v) for v in d.mean()],
            "variance": [float(v) for v in d.var()],
            "entropy": float(d.entropy()),
        }
        cases.append({"concentration": alpha, "points": rows, **stats_rows})
    return cases


tails_out = {"generator": "scripts/make-fixtures.py (scipy %s)" % scipy.__version__, "cases": tail_grid(), "dirichlet": dirichlet_grid()}
with open(os.path.join(here, "..", "src", "fixtures", "tails.json"), "w") as f:
    json.dump(tails_out, f, separators=(",", ":"))
