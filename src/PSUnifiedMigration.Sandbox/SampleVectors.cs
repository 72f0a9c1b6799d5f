namespace PSUnifiedMigration.Sandbox;

/// <summary>Random numbers for sample embeddings, shared by the sample generators.</summary>
internal static class SampleVectors
{
    /// <summary>Standard normal samples, two per Box-Muller draw.</summary>
    public static void FillGaussian(Random r, float[] values)
    {
        for (var i = 0; i < values.Length; i += 2)
        {
            var radius = Math.Sqrt(-2 * Math.Log(1 - r.NextDouble()));
            var (sin, cos) = Math.SinCos(2 * Math.PI * r.NextDouble());
            values[i] = (float)(radius * cos);
            if (i + 1 < values.Length)
            {
                values[i + 1] = (float)(radius * sin);
            }
        }
    }
}
