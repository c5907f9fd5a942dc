namespace Homeroom.Classes;

/// <summary>
/// Is the spread of calls what a fair process gives? Each call had a known number of eligible students
/// (present at the time), and each of them had a 1/eligible share of it; a student's expected calls are
/// the sum of those shares. Pearson's chi-square compares the calls received with the calls expected;
/// its p-value says how often chance alone would spread calls at least this unevenly.
/// </summary>
public static class Equity
{
    /// <summary>Below this p-value the spread is called uneven.</summary>
    public const double UnevenBelow = 0.01;

    public sealed record Verdict(double ChiSquare, int DegreesOfFreedom, double? PValue, string Summary, bool Judged);

    public static Verdict Judge(IReadOnlyList<(int Observed, double Expected)> students)
    {
        ArgumentNullException.ThrowIfNull(students);
        var counted = students.Where(s => s.Expected > 0).ToList();
        var total = counted.Sum(s => s.Observed);
        var degrees = counted.Count - 1;
        var chiSquare = counted.Sum(s => (s.Observed - s.Expected) * (s.Observed - s.Expected) / s.Expected);
        if (degrees < 1 || counted.Any(s => s.Expected < 1))
        {
            return new Verdict(chiSquare, Math.Max(degrees, 0), null,
                $"Too few calls to judge yet: {total} calls among {counted.Count} students. Each student needs about one expected call first.", false);
        }

        var p = UpperTailProbability(chiSquare, degrees);
        var summary = p < UnevenBelow
            ? $"Uneven: calls are spread more unevenly than chance explains (p = {p:0.####}). Some students are called more than their fair share."
            : $"Within chance: the spread of calls is what a fair draw gives (p = {p:0.###}).";
        return new Verdict(chiSquare, degrees, p, summary, true);
    }

    /// <summary>P(X ≥ x) for X chi-square with k degrees of freedom: the regularised upper gamma Q(k/2, x/2).</summary>
    public static double UpperTailProbability(double x, int k)
    {
        if (x <= 0)
        {
            return 1;
        }

        var a = k / 2.0;
        var z = x / 2.0;
        return z < a + 1 ? 1 - LowerSeries(a, z) : UpperContinuedFraction(a, z);
    }

    private static double LowerSeries(double a, double z)
    {
        double sum = 1 / a, term = sum;
        for (var n = 1; n < 1000; n++)
        {
            term *= z / (a + n);
            sum += term;
            if (Math.Abs(term) < Math.Abs(sum) * 1e-15)
            {
                break;
            }
        }

        return sum * Math.Exp(-z + (a * Math.Log(z)) - LogGamma(a));
    }

    private static double UpperContinuedFraction(double a, double z)
    {
        const double tiny = 1e-300;
        var b = z + 1 - a;
        var c = 1 / tiny;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i < 1000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = b + (an / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-15)
            {
                break;
            }
        }

        return Math.Exp(-z + (a * Math.Log(z)) - LogGamma(a)) * h;
    }

    /// <summary>Lanczos approximation of ln Γ(x), good to about 15 digits.</summary>
    private static double LogGamma(double x)
    {
        double[] coefficients =
        [
            57.1562356658629235, -59.5979603554754912, 14.1360979747417471, -0.491913816097620199,
            .339946499848118887e-4, .465236289270485756e-4, -.983744753048795646e-4, .158088703224912494e-3,
            -.210264441724104883e-3, .217439618115212643e-3, -.164318106536763890e-3, .844182239838527433e-4,
            -.261908384015814087e-4, .368991826595316234e-5,
        ];
        var y = x;
        var tmp = x + 5.24218750000000000;
        tmp = ((x + 0.5) * Math.Log(tmp)) - tmp;
        var series = 0.999999999999997092;
        foreach (var coefficient in coefficients)
        {
            series += coefficient / ++y;
        }

        return tmp + Math.Log(2.5066282746310005 * series / x);
    }
}
