using Microsoft.Extensions.Configuration;

namespace ReactiveRest.Hosting;

public static class ReactiveSettingsExtensions
{
    private const string Section = "Reactive";

    /// <summary>Hands every <c>Reactive:*</c> setting of the AppHost to a service, so one place configures both services.</summary>
    public static IResourceBuilder<T> WithReactiveSettings<T>(this IResourceBuilder<T> resource) where T : IResourceWithEnvironment
    {
        foreach (var (key, value) in resource.ApplicationBuilder.Configuration.GetSection(Section).AsEnumerable())
        {
            if (value is { Length: > 0 })
            {
                resource.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
            }
        }

        return resource;
    }
}
