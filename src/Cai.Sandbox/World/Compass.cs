namespace Cai.Sandbox.World;

/// <summary>Directions between towns on the world's grid (north is +y, east is +x).</summary>
public static class Compass
{
    /// <summary>The eight directions, written as single words so "north" never matches inside "northeast".</summary>
    public static IReadOnlyList<string> Directions { get; } =
        ["north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest"];

    public static string Direction(Town from, Town to)
    {
        int dx = Math.Sign(to.X - from.X), dy = Math.Sign(to.Y - from.Y);
        if (dx == 0 && dy == 0) throw new ArgumentException($"{from.Name} and {to.Name} are the same place.");
        string ns = dy > 0 ? "north" : dy < 0 ? "south" : "";
        string ew = dx > 0 ? "east" : dx < 0 ? "west" : "";
        return ns + ew;
    }
}
