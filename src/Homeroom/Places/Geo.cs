namespace Homeroom.Places;

/// <summary>Points on the Earth as unit vectors, and exact great-circle distances.</summary>
public static class Geo
{
    /// <summary>The mean Earth radius (IUGG), in kilometres.</summary>
    public const double EarthRadiusKm = 6371.0088;

    public const double KmPerMile = 1.609344;

    public static (double X, double Y, double Z) ToVector(double latitude, double longitude)
    {
        var lat = double.DegreesToRadians(latitude);
        var lon = double.DegreesToRadians(longitude);
        var cosLat = Math.Cos(lat);
        return (cosLat * Math.Cos(lon), cosLat * Math.Sin(lon), Math.Sin(lat));
    }

    /// <summary>
    /// The great-circle distance between two unit vectors, in kilometres, from their chord length c:
    /// the central angle is 2·asin(c/2), which stays accurate for tiny and for antipodal distances.
    /// Because it grows with the chord, ordering by chord is ordering by great-circle distance.
    /// </summary>
    public static double KmFromChordSquared(double chordSquared) =>
        2 * EarthRadiusKm * Math.Asin(Math.Min(1.0, Math.Sqrt(chordSquared) / 2));

    /// <summary>The squared chord between two points <paramref name="km"/> apart along the surface.</summary>
    public static double ChordSquaredFromKm(double km)
    {
        var angle = Math.Min(km / EarthRadiusKm, Math.PI);
        var chord = 2 * Math.Sin(angle / 2);
        return chord * chord;
    }

    public static double Km(double lat1, double lon1, double lat2, double lon2)
    {
        var a = ToVector(lat1, lon1);
        var b = ToVector(lat2, lon2);
        return KmFromChordSquared(ChordSquared(a, b));
    }

    public static double ChordSquared((double X, double Y, double Z) a, (double X, double Y, double Z) b)
    {
        var dx = a.X - b.X;
        var dy = a.Y - b.Y;
        var dz = a.Z - b.Z;
        return (dx * dx) + (dy * dy) + (dz * dz);
    }
}
