using Microsoft.AspNetCore.Http;
using ReactiveRest.Engine.Reactive;

namespace ReactiveRest.Tests.Engine;

public sealed class ObservedQueryTests
{
    private static ObservedQuery From(string path, string query)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        return ObservedQuery.From(context.Request);
    }

    [Fact]
    public void Parameter_order_and_observe_do_not_change_the_observer()
    {
        var a = From("/api/tasks", "?boardId=1&done=true&observe=alice");
        var b = From("/api/tasks/", "?observe=bob&done=true&boardId=1");

        Assert.Equal(a.ObserverId, b.ObserverId);
        Assert.Equal("/api/tasks?boardId=1&done=true", a.Url);
        Assert.Matches("^[0-9a-f]{32}$", a.ObserverId);
    }

    [Fact]
    public void Path_values_and_principal_do_change_it()
    {
        var query = From("/api/tasks", "?boardId=1");

        Assert.NotEqual(query.ObserverId, From("/api/tasks", "?boardId=2").ObserverId);
        Assert.NotEqual(query.ObserverId, From("/api/boards", "?boardId=1").ObserverId);
        Assert.NotEqual(query.ObserverId, (query with { Principal = "user:42" }).ObserverId);
    }

    [Fact]
    public void Values_are_escaped_in_the_url_the_observers_evaluate()
    {
        Assert.Equal("/api/tasks?title__icontains=a%26b%20c", From("/api/tasks", "?title__icontains=a%26b%20c").Url);
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("A-b_9", true)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    [InlineData("é", false)]
    [InlineData("a/b", false)]
    public void Subscriber_ids_follow_the_rule(string id, bool valid)
    {
        Assert.Equal(valid, SubscriberIds.IsValid(id));
        Assert.True(SubscriberIds.IsValid(new string('x', 64)));
        Assert.False(SubscriberIds.IsValid(new string('x', 65)));
    }
}
