using System.Security.Cryptography;

namespace Homeroom;

/// <summary>
/// Where every random choice in Homeroom comes from (student picks, groups, game PINs, shuffles).
/// The service uses <see cref="CryptoRandomSource"/>; tests swap in <see cref="SeededRandomSource"/> to
/// make draws repeatable. Both return exactly uniform integers: no modulo bias.
/// </summary>
public interface IRandomSource
{
    /// <summary>A uniformly distributed integer in [0, <paramref name="exclusiveMax"/>).</summary>
    long NextBelow(long exclusiveMax);
}

/// <summary>The operating system's cryptographic generator, with rejection sampling against bias.</summary>
public sealed class CryptoRandomSource : IRandomSource
{
    public long NextBelow(long exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exclusiveMax, 1);
        if (exclusiveMax <= int.MaxValue)
        {
            // GetInt32 already rejects the values that would bias the result.
            return RandomNumberGenerator.GetInt32((int)exclusiveMax);
        }

        // Reject draws from the incomplete top block so every result is equally likely.
        var limit = ulong.MaxValue - (ulong.MaxValue % (ulong)exclusiveMax);
        Span<byte> bytes = stackalloc byte[8];
        ulong value;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            value = BitConverter.ToUInt64(bytes);
        }
        while (value >= limit);
        return (long)(value % (ulong)exclusiveMax);
    }
}

/// <summary>A repeatable generator for tests (System.Random's unbiased NextInt64, from a seed).</summary>
public sealed class SeededRandomSource(int seed) : IRandomSource
{
    private readonly Random random = new(seed);
    private readonly Lock gate = new();

    public long NextBelow(long exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exclusiveMax, 1);
        lock (gate)
        {
            return random.NextInt64(exclusiveMax);
        }
    }
}

public static class RandomSourceExtensions
{
    /// <summary>Fisher–Yates: every order equally likely.</summary>
    public static void Shuffle<T>(this IRandomSource random, IList<T> items)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(items);
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = (int)random.NextBelow(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    public static T Choose<T>(this IRandomSource random, IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(items);
        return items[(int)random.NextBelow(items.Count)];
    }
}
