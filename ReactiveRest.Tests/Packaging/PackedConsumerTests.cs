using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Aspire.Hosting.Testing;
using Npgsql;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Packaging;

/// <summary>
/// What a user outside this solution gets: the libraries packed into a folder feed, and a small API of its own
/// (written here, in a temporary directory outside the repository, so nothing of the solution's build settings reaches
/// it) that references them as packages, defines resources of its own and maps them with one line. It must build,
/// reconcile capture for its tables, answer writes and observe GETs on a database of its own on the shared stack's
/// PostgreSQL, and, being its own observers worker too (on a Redis server of its own), deliver the changes of its
/// observers on its WebSocket, writes made in SQL included. Its notes are keyed by a uuid and its tags by text
/// (partitioned by their note's uuid), so the keys that are not int are proven end to end in a packaged consumer.
/// </summary>
public sealed class PackedConsumerTests(ReactiveRestApp app)
{
    /// <summary>Generous: packing, restoring and compiling run beside every other test class on two cores.</summary>
    private static readonly TimeSpan BuildDeadline = TimeSpan.FromMinutes(6);

    private static readonly TimeSpan StartDeadline = TimeSpan.FromMinutes(1);

    private static readonly string LogPath = Path.Combine(AppContext.BaseDirectory, "packed-consumer.log");

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_app_referencing_the_packed_libraries_maps_uuid_and_text_keyed_resources_and_delivers_them_live()
    {
        File.Delete(LogPath);
        var root = Commands.RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("reactiverest-consumer-");
        var feed = Directory.CreateDirectory(Path.Combine(work.FullName, "feed"));
        // A version no earlier run used, so that the packages cache cannot answer with an older build.
        var version = $"0.0.0-consumer.{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}";
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var libraries = PackableProjects(root);
        Assert.NotEmpty(libraries);
        var database = $"consumer_{Guid.NewGuid():N}";
        var server = new NpgsqlConnectionStringBuilder(await app.App.GetConnectionStringAsync("reactivedb", Cancellation));
        System.Diagnostics.Process? consumer = null;
        System.Diagnostics.Process? redis = null;
        var output = new StringBuilder();
        try
        {
            // The libraries as the test run built them: packing compiles nothing again.
            foreach (var library in libraries)
            {
                await Commands.RunAsync(Commands.Dotnet,
                    ["pack", library, "--no-build", "-c", configuration, "-o", feed.FullName, $"-p:PackageVersion={version}"],
                    root, new Dictionary<string, string>(), BuildDeadline, LogPath);
            }

            var packages = feed.GetFiles("*.nupkg").Select(file => file.Name[..^$".{version}.nupkg".Length]).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(libraries.Count, packages.Count);
            foreach (var package in feed.GetFiles("*.nupkg"))
            {
                AssertComplete(package.FullName);
            }

            var project = Directory.CreateDirectory(Path.Combine(work.FullName, "Notes.Api"));
            WriteConsumer(project.FullName, feed.FullName, packages.Where(id => !id.Contains("Hosting", StringComparison.Ordinal)), version);
            await Commands.RunAsync(Commands.Dotnet, ["build", "-c", "Release", "-o", Path.Combine(work.FullName, "out")],
                project.FullName, new Dictionary<string, string>(), BuildDeadline, LogPath);

            await using (var connection = new NpgsqlConnection(server.ConnectionString))
            {
                await connection.OpenAsync(Cancellation);
                await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
                await create.ExecuteNonQueryAsync(Cancellation);
            }

            // A Redis of its own: the consumer delivers its own observers, whose change stream no other app may read.
            var redisPort = FreePort();
            redis = Commands.Start("redis-server", ["--port", redisPort.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                work.FullName, new Dictionary<string, string>(), output, LogPath);
            await WaitForRedisAsync(redisPort, redis, output);

            var port = FreePort();
            consumer = Commands.Start(Commands.Dotnet, [Path.Combine(work.FullName, "out", "Notes.Api.dll")], work.FullName, new Dictionary<string, string>
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["ConnectionStrings__notes"] = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database }.ConnectionString,
                ["ConnectionStrings__redis"] = $"127.0.0.1:{redisPort}",
                ["Auth__SigningKey"] = TestUsers.SigningKey,
                ["Reactive__ObserverIdSecret"] = TestUsers.ObserverIdSecret,
            }, output, LogPath);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestUsers.TokenFor("consumer"));
            await WaitUntilServingAsync(http, consumer, output);

            using var created = await http.PostAsJsonAsync("/api/notes", new { text = "packed" }, Cancellation);
            Assert.True(created.StatusCode == HttpStatusCode.Created, $"POST /api/notes: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync(Cancellation)}");
            var note = await created.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            Assert.Equal("consumer", note.GetProperty("owner").GetString());

            var subscriber = $"consumer-{Guid.NewGuid():N}";
            using var observed = await http.GetAsync($"/api/notes?observe={subscriber}", Cancellation);
            var body = await observed.Content.ReadAsStringAsync(Cancellation);
            Assert.True(observed.StatusCode == HttpStatusCode.OK, $"observe GET: {(int)observed.StatusCode} {body}");
            var answer = JsonDocument.Parse(body).RootElement;
            Assert.False(string.IsNullOrEmpty(answer.GetProperty("observer").GetString()));
            Assert.Equal(0, answer.GetProperty("seq").GetInt64());
            var item = Assert.Single(answer.GetProperty("items").EnumerateArray());
            Assert.Equal("packed", item.GetProperty("text").GetString());

            // The uuid key: the Location, a detail in any spelling, a filter on it, an observed detail, and ids that are none.
            var id = Guid.Parse(note.GetProperty("id").GetString()!);
            Assert.Equal($"/api/notes/{id:D}", created.Headers.Location?.OriginalString);
            Assert.Equal(id.ToString("D"), item.GetProperty("id").GetString());
            using (var detail = await http.GetAsync($"/api/notes/{id.ToString("N").ToUpperInvariant()}", Cancellation))
            {
                Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
            }

            Assert.Equal(1, (await http.GetFromJsonAsync<JsonElement>($"/api/notes?id__in={id},{Guid.NewGuid()}", Cancellation)).GetProperty("count").GetInt32());
            using (var observedDetail = await http.GetAsync($"/api/notes/{id}?observe={subscriber}", Cancellation))
            {
                var detailAnswer = JsonDocument.Parse(await observedDetail.Content.ReadAsStringAsync(Cancellation)).RootElement;
                Assert.Equal(id.ToString("D"), Assert.Single(detailAnswer.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
            }

            using (var unknown = await http.GetAsync($"/api/notes/{Guid.NewGuid()}", Cancellation))
            {
                await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.NotFound);
            }

            using (var notUuid = await http.GetAsync("/api/notes/abc", Cancellation))
            {
                Assert.Equal(HttpStatusCode.NotFound, notUuid.StatusCode);
            }

            using (var badId = await http.GetAsync("/api/notes?id=abc", Cancellation))
            {
                await ProblemAssert.IsValidationProblemAsync(badId, "id");
            }

            // The text key, written by the client, with a uuid partition whose target must be visible to the writer.
            using var tagged = await http.PostAsJsonAsync("/api/tags", new { id = "to do/now", noteId = id }, Cancellation);
            Assert.True(tagged.StatusCode == HttpStatusCode.Created, $"POST /api/tags: {(int)tagged.StatusCode} {await tagged.Content.ReadAsStringAsync(Cancellation)}");
            Assert.Equal("/api/tags/to%20do%2Fnow", tagged.Headers.Location?.OriginalString);
            using (var strayTag = await http.PostAsJsonAsync("/api/tags", new { id = "stray", noteId = Guid.NewGuid() }, Cancellation))
            {
                await ProblemAssert.IsValidationProblemAsync(strayTag, "noteId");
            }

            using (var tag = await http.GetAsync("/api/tags/to%20do%2Fnow", Cancellation))
            {
                Assert.True(tag.StatusCode == HttpStatusCode.OK, $"GET a tag: {(int)tag.StatusCode} {await tag.Content.ReadAsStringAsync(Cancellation)}");
                Assert.Equal("to do/now", (await tag.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetString());
            }

            var tags = await http.GetFromJsonAsync<JsonElement>($"/api/tags?noteId__in={id},{Guid.NewGuid()}&id=to%20do%2Fnow", Cancellation);
            Assert.Equal("to do/now", Assert.Single(tags.GetProperty("results").EnumerateArray()).GetProperty("id").GetString());
            using (var badPartition = await http.GetAsync("/api/tags?noteId__in=x,y", Cancellation))
            {
                await ProblemAssert.IsValidationProblemAsync(badPartition, "noteId__in");
            }

            using (var observedTags = await http.GetAsync($"/api/tags?noteId={id}&observe={subscriber}", Cancellation))
            {
                var tagsAnswer = JsonDocument.Parse(await observedTags.Content.ReadAsStringAsync(Cancellation)).RootElement;
                Assert.Equal("to do/now", Assert.Single(tagsAnswer.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
            }

            // Live: the same process delivers its observers on its WebSocket. An edit reaches the list and the detail
            // observers of the uuid-keyed note, a new tag the text-keyed tags observer of its note's partition.
            await using (var live = await Subscriber.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws/{subscriber}?access_token={TestUsers.TokenFor("consumer")}")))
            {
                using (var edited = await http.PatchAsJsonAsync($"/api/notes/{id}", new { text = "edited live" }, Cancellation))
                {
                    Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
                }

                var changed = new List<JsonElement> { await live.NextAsync(LiveDeadline), await live.NextAsync(LiveDeadline) };
                Assert.All(changed, frame =>
                {
                    Assert.Equal("changed", frame.GetProperty("msg").GetString());
                    Assert.Equal(id.ToString("D"), frame.GetProperty("item").GetProperty("id").GetString());
                    Assert.Equal("edited live", frame.GetProperty("item").GetProperty("text").GetString());
                });
                Assert.Equal(2, changed.Select(frame => frame.GetProperty("observer").GetString()).Distinct().Count());

                using (var second = await http.PostAsJsonAsync("/api/tags", new { id = "live", noteId = id }, Cancellation))
                {
                    Assert.Equal(HttpStatusCode.Created, second.StatusCode);
                }

                var added = await live.NextAsync(LiveDeadline);
                Assert.Equal("added", added.GetProperty("msg").GetString());
                Assert.Equal("live", added.GetProperty("item").GetProperty("id").GetString());

                // Capture was reconciled from the definition: a write made in SQL, not through the API, is delivered too.
                await using (var notes = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database, Pooling = false }.ConnectionString))
                {
                    await notes.OpenAsync(Cancellation);
                    await using var update = new NpgsqlCommand($"UPDATE notes SET text = 'edited in sql' WHERE id = '{id}'", notes);
                    Assert.Equal(1, await update.ExecuteNonQueryAsync(Cancellation));
                }

                var sqlChanged = new[] { await live.NextAsync(LiveDeadline), await live.NextAsync(LiveDeadline) };
                Assert.All(sqlChanged, frame => Assert.Equal("edited in sql", frame.GetProperty("item").GetProperty("text").GetString()));
                live.AssertConnected();
            }

            // Its rules hold as the definition says: another user sees nothing, and a bad filter is a problem naming it.
            using var other = await SendAsync(http, HttpMethod.Get, "/api/notes", TestUsers.TokenFor("someone-else"));
            Assert.Equal(0, (await other.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("count").GetInt32());
            using var bad = await http.GetAsync("/api/notes?mood=x", Cancellation);
            await ProblemAssert.IsValidationProblemAsync(bad, "mood");
        }
        finally
        {
            foreach (var process in new[] { consumer, redis })
            {
                if (process is not null)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None);
                    process.Dispose();
                }
            }

            NpgsqlConnection.ClearAllPools();
            await using (var connection = new NpgsqlConnection(server.ConnectionString))
            {
                await connection.OpenAsync(CancellationToken.None);
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync(CancellationToken.None);
            }

            RemoveFromPackagesCache(feed, version);
            work.Delete(recursive: true);
        }
    }

    /// <summary>The projects of the solution that say they are packable: the libraries.</summary>
    private static List<string> PackableProjects(string root) =>
        [.. Directory.GetFiles(root, "*.csproj", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(path => XDocument.Load(path).Descendants("IsPackable").Any(element => element.Value.Trim() == "true"))
            .Order(StringComparer.Ordinal)];

    /// <summary>A package a user can adopt says what it is, shows a README and carries the XML docs of its assembly.</summary>
    private static void AssertComplete(string package)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(package);
        var name = Path.GetFileName(package);
        var nuspec = XDocument.Load(zip.Entries.Single(entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        var metadata = nuspec.Root!.Elements().Single(element => element.Name.LocalName == "metadata");
        string? Field(string field) => metadata.Elements().SingleOrDefault(element => element.Name.LocalName == field)?.Value;
        Assert.False(string.IsNullOrWhiteSpace(Field("description")), $"{name} has no description");
        Assert.True(Field("readme") is { Length: > 0 } readme && zip.GetEntry(readme) is not null, $"{name} has no README");
        Assert.True(zip.Entries.Any(entry => entry.FullName.StartsWith("lib/", StringComparison.Ordinal) && entry.FullName.EndsWith(".xml", StringComparison.Ordinal)),
            $"{name} has no XML documentation");
    }

    private static void WriteConsumer(string directory, string feed, IEnumerable<string> packages, string version)
    {
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="reactiverest-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var references = string.Join("\n", packages.Select(id => $"""    <PackageReference Include="{id}" Version="{version}" />"""));
        File.WriteAllText(Path.Combine(directory, "Notes.Api.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
            {references}
                <PackageReference Include="Npgsql.EntityFrameworkCore.PostgreSQL" Version="{PackageVersion("Npgsql.EntityFrameworkCore.PostgreSQL")}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Note.cs"), """
            using System.ComponentModel.DataAnnotations;
            using System.ComponentModel.DataAnnotations.Schema;
            using ReactiveRest.Engine.Resources;

            namespace Notes.Api;

            [Table("notes")]
            public sealed class Note
            {
                [Column("id")]
                public Guid Id { get; set; }

                [Column("owner"), MaxLength(64)]
                public string Owner { get; set; } = "";

                [Column("text"), MaxLength(500)]
                public string Text { get; set; } = "";

                public static readonly ReactiveResource<Note> Resource = new ReactiveResource<Note>("notes", note => note.Id)
                    .WithField(note => note.Text)
                    .OrderedBy("id")
                    .VisibleTo((db, user) => note => note.Owner == user)
                    .WritableThrough(writes => writes
                        .Field(note => note.Text)
                        .OnCreate((note, context) => note.Owner = context.User)
                        .OwnedBy(note => note.Owner));
            }

            [Table("tags")]
            public sealed class Tag
            {
                [Column("id"), MaxLength(40)]
                public string Id { get; set; } = "";

                [Column("note_id")]
                public Guid NoteId { get; set; }

                [ForeignKey(nameof(NoteId)), System.Text.Json.Serialization.JsonIgnore]
                public Note? Note { get; set; }

                public static readonly ReactiveResource<Tag> Resource = new ReactiveResource<Tag>("tags", tag => tag.Id)
                    .PartitionedBy(tag => tag.NoteId)
                    .VisibleTo((db, user) => tag => tag.Note!.Owner == user)
                    .WritableThrough(writes => writes
                        .Field(tag => tag.Id, FieldWrite.OnCreate)
                        .Field(tag => tag.NoteId, FieldWrite.OnCreate));
            }
            """);
        File.WriteAllText(Path.Combine(directory, "NotesDb.cs"), """
            using Microsoft.EntityFrameworkCore;

            namespace Notes.Api;

            public sealed class NotesDb(DbContextOptions<NotesDb> options) : DbContext(options)
            {
                public DbSet<Note> Notes => Set<Note>();

                public DbSet<Tag> Tags => Set<Tag>();
            }
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), """
            using Microsoft.EntityFrameworkCore;
            using Notes.Api;
            using ReactiveRest.Engine.Changes;
            using ReactiveRest.Engine.Http;
            using ReactiveRest.Engine.Reactive;
            using ReactiveRest.Engine.Resources;
            using ReactiveRest.Engine.Security;
            using ReactiveRest.Engine.WebSockets;
            using ReactiveRest.Engine.Worker;

            var builder = WebApplication.CreateBuilder(args);
            builder.Services.AddDbContext<NotesDb>(options => options.UseNpgsql(builder.Configuration.GetConnectionString("notes")));
            builder.AddReactiveCore<NotesDb>([Note.Resource, Tag.Resource]);
            builder.AddReactiveAuthentication();
            // One process is the API and the observers worker too: it delivers its observers on /ws/{subscriber}.
            builder.AddReactiveObservers();

            var app = builder.Build();
            app.UseExceptionHandler();
            app.UseStatusCodePages();
            app.UseObserverWebSockets();
            app.UseReactiveSecurity();
            app.MapReactiveResources();
            app.MapSubscriberWebSocket();

            // No migrations in so small an app: the table is created from the model, then its capture from the resources.
            using (var scope = app.Services.CreateScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<NotesDb>();
                await db.Database.EnsureCreatedAsync();
                var catalog = scope.ServiceProvider.GetRequiredService<ResourceCatalog>();
                await CaptureReconciler.ReconcileAsync(db, catalog.CapturedTables, CancellationToken.None);
                await CaptureReconciler.VerifyAsync(db, catalog, CancellationToken.None);
            }

            app.Run();
            """);
    }

    /// <summary>The version this solution pins, so the consumer compiles against what the libraries were built with.</summary>
    private static string PackageVersion(string id)
    {
        var props = XDocument.Load(Path.Combine(Commands.RepositoryRoot(), "Directory.Packages.props"));
        return props.Descendants("PackageVersion").Single(element => element.Attribute("Include")?.Value == id).Attribute("Version")!.Value;
    }

    private static async Task WaitUntilServingAsync(HttpClient http, System.Diagnostics.Process consumer, StringBuilder output)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        deadline.CancelAfter(StartDeadline);
        while (true)
        {
            Assert.False(consumer.HasExited, $"The consumer app exited ({(consumer.HasExited ? consumer.ExitCode : 0)}):\n{Commands.Tail(output)}");
            try
            {
                using var response = await http.GetAsync("/api/notes", deadline.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !Cancellation.IsCancellationRequested)
            {
                Assert.Fail($"The consumer app did not serve within {StartDeadline}:\n{Commands.Tail(output)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token).ContinueWith(_ => { }, CancellationToken.None);
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string token)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, Cancellation);
    }

    private static readonly TimeSpan LiveDeadline = TimeSpan.FromSeconds(20);

    private static async Task WaitForRedisAsync(int port, System.Diagnostics.Process redis, StringBuilder output)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            Assert.False(redis.HasExited, $"redis-server exited:\n{Commands.Tail(output)}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port, Cancellation);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray(), Cancellation);
                var answer = new byte[7];
                var read = await stream.ReadAsync(answer, Cancellation);
                if (Encoding.ASCII.GetString(answer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
                // Not listening yet.
            }

            Assert.True(DateTime.UtcNow < deadline, $"redis-server did not answer PING in 20 s:\n{Commands.Tail(output)}");
            await Task.Delay(100, Cancellation);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Each run packs a new version; the restore's copies of this run's packages are not worth keeping.</summary>
    private static void RemoveFromPackagesCache(DirectoryInfo feed, string version)
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var package in feed.Exists ? feed.GetFiles("*.nupkg") : [])
        {
            var id = package.Name[..^$".{version}.nupkg".Length].ToLowerInvariant();
            var copy = new DirectoryInfo(Path.Combine(cache, id, version));
            if (copy.Exists)
            {
                copy.Delete(recursive: true);
            }
        }
    }
}
