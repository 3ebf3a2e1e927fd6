using System.Text.RegularExpressions;

namespace ReactiveRest.Tests.AppHost;

/// <summary>azd's project file: one service, the AppHost, deployed to Azure Container Apps.</summary>
public sealed partial class AzureYamlTests
{
    [Fact]
    public void Azure_yaml_deploys_the_AppHost_to_container_apps()
    {
        // The AppHost's folder, whose parent is the repository root.
        var appHost = Path.TrimEndingDirectorySeparator(Projects.ReactiveRest_AppHost.ProjectPath);
        var root = Path.GetDirectoryName(appHost)!;
        var yaml = File.ReadAllText(Path.Combine(root, "azure.yaml"));

        Assert.Matches(@"(?m)^name: reactiverest$", yaml);
        var app = AppService().Match(yaml);
        Assert.True(app.Success, yaml);
        Assert.Equal("dotnet", app.Groups["language"].Value);
        Assert.Equal("containerapp", app.Groups["host"].Value);
        var project = Path.GetFullPath(Path.Combine(root, app.Groups["project"].Value));
        Assert.Equal(Path.GetFullPath(appHost), Path.GetDirectoryName(project));
        Assert.True(File.Exists(project), $"{project} does not exist");
    }

    [GeneratedRegex(@"(?m)^services:\n  app:\n    language: (?<language>\S+)\n    project: (?<project>\S+)\n    host: (?<host>\S+)$")]
    private static partial Regex AppService();
}
