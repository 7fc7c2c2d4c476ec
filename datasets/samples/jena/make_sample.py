#!/usr/bin/env python3
"""make_sample.py: writes jena_sample.csv, a small file in the exact layout of the Jena
climate record (jena_climate_2009_2016.csv: a quoted header, "Date Time" as dd.mm.yyyy
HH:MM:SS, 14 numeric columns with two decimals, 10-minute steps, LF line ends). The values
are made up but physically consistent (Magnus formula for vapour pressures, potential
temperature, air density) and smooth: a daily temperature cycle, slow pressure drift and
a little deterministic noise. Standard library only; the same output on every run.

    python3 make_sample.py > jena_sample.csv
"""
import math
import sys
from datetime import datetime, timedelta

ROWS = 432  # three days of 10-minute readings: 72 hourly rows with every=6
HEADER = ('"Date Time","p (mbar)","T (degC)","Tpot (K)","Tdew (degC)","rh (%)",'
          '"VPmax (mbar)","VPact (mbar)","VPdef (mbar)","sh (g/kg)","H2OC (mmol/mol)",'
          '"rho (g/m**3)","wv (m/s)","max. wv (m/s)","wd (deg)"')


class Noise:
    """A linear congruential generator: uniform values in [-1, 1), reproducible."""

    def __init__(self, seed):
        self.state = seed

    def __call__(self):
        self.state = (self.state * 1103515245 + 12345) % 2**31
        return self.state / 2**30 - 1


def magnus(t):
    """Saturation vapour pressure (mbar) at t degC."""
    return 6.1078 * math.exp(17.27 * t / (t + 237.3))


def row(i, noise):
    day = 2 * math.pi * i / 144  # one cycle per 144 readings (a day)
    p = 996.5 + 0.012 * i + 1.5 * math.sin(2 * math.pi * i / 400) + 0.05 * noise()
    t = -6.5 - 2.5 * math.cos(day - 0.9) + 0.04 * i / 6 + 0.1 * noise()
    rh = min(100.0, 86 + 8 * math.cos(day - 0.9) + 0.5 * noise())
    vpmax = magnus(t)
    vpact = vpmax * rh / 100
    g = math.log(vpact / 6.1078)
    tdew = 237.3 * g / (17.27 - g)
    sh = 1000 * 0.622 * vpact / (p - 0.378 * vpact)
    wv = max(0.0, 1.2 + 0.8 * math.sin(2 * math.pi * i / 90) + 0.3 * noise())
    return [p, t, (t + 273.15) * (1000 / p) ** 0.286, tdew, rh, vpmax, vpact, vpmax - vpact, sh,
            1000 * vpact / p, 100 * p / (287.05 * (t + 273.15)) * 1000, wv,
            wv * 1.6 + 0.2 + 0.2 * abs(noise()), (150 + 60 * math.sin(2 * math.pi * i / 200)) % 360]


def main():
    noise = Noise(2009)
    start = datetime(2009, 1, 1, 0, 10)
    out = [HEADER]
    for i in range(ROWS):
        when = (start + timedelta(minutes=10 * i)).strftime('%d.%m.%Y %H:%M:%S')
        out.append(when + ',' + ','.join('%.2f' % v for v in row(i, noise)))
    sys.stdout.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
