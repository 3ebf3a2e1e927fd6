namespace ReactiveRest.AppHost.Infrastructure;

public static class ReactiveSettingsExtensions
{
    private static readonly string[] ForwardedKeys = ["Reactive:GracePeriod", "Reactive:MaxIncomingMessageBytes", "Reactive:MaxQueuedMessages"];

    /// <summary>Hands the AppHost's <c>Reactive:*</c> settings, where set, to a service, so one place configures both.</summary>
    public static IResourceBuilder<T> WithReactiveSettings<T>(this IResourceBuilder<T> resource) where T : IResourceWithEnvironment
    {
        foreach (var key in ForwardedKeys)
        {
            if (resource.ApplicationBuilder.Configuration[key] is { Length: > 0 } value)
            {
                resource.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
            }
        }

        return resource;
    }
}
