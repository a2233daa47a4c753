using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Delivery;

/// <summary>
/// The API in development mode with every channel configured: email to a real smtp4dev, SMS, push and CRM to a
/// recording HTTP receiver, webhooks allowed to 127.0.0.1 only, tracked links under <see cref="TrackingBase"/>,
/// and push held to <see cref="PushRate"/> a second.
/// </summary>
public sealed class DeliveryFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string TrackingBase = "http://flows.test";
    public const string From = "Flows <flows@example.com>";
    public const int PushRate = 5;

    public Smtp4devServer Smtp { get; } = new();

    public RecordingReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Smtp.InitializeAsync();
        Receiver = await RecordingReceiver.StartAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
        await Smtp.DisposeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        string Port() => ApiFixture.FreePort().ToString(CultureInfo.InvariantCulture);
        builder.UseSetting("Orleans:SiloPort", Port());
        builder.UseSetting("Orleans:GatewayPort", Port());
        builder.UseSetting("Api:Keys:0:Key", ApiFixture.AdminKey);
        builder.UseSetting("Api:Keys:0:Role", "admin");
        builder.UseSetting("Smtp:Host", "127.0.0.1");
        builder.UseSetting("Smtp:Port", Smtp.SmtpPort.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Smtp:From", From);
        builder.UseSetting("Sms:WebhookUrl", Receiver.Url("/sms").ToString());
        builder.UseSetting("Sms:Authorization", "Bearer sms-secret");
        builder.UseSetting("Crm:WebhookUrl", Receiver.Url("/crm").ToString());
        builder.UseSetting("Crm:Authorization", "Bearer crm-secret");
        builder.UseSetting("Push:WebhookUrl", Receiver.Url("/push").ToString());
        builder.UseSetting("Webhooks:AllowedHosts", "127.0.0.1");
        builder.UseSetting("Tracking:BaseUrl", TrackingBase);
        builder.UseSetting("Delivery:RatePerSecond:Push", PushRate.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Delivery:QuickRetryDelay", "00:00:00.100");
    }

    public HttpClient Admin()
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiFixture.AdminKey);
        return client;
    }

    /// <summary>A client without a key and without following redirects: what a mail reader's browser is.</summary>
    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
}

[CollectionDefinition(Name)]
public sealed class DeliveryCollection : ICollectionFixture<DeliveryFixture>
{
    public const string Name = "delivery";
}
