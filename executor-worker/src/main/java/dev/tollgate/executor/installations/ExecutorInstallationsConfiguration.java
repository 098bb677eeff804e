package dev.tollgate.executor.installations;

import dev.tollgate.executor.ExecutorAssembly;
import dev.tollgate.executor.ExecutorConfiguration;
import dev.tollgate.executor.core.AppAuthenticator;
import dev.tollgate.executor.core.AppJwtSigner;
import dev.tollgate.executor.core.GitHubAppConfig;
import dev.tollgate.executor.core.GitHubTransport;
import dev.tollgate.executor.core.InstallationGuard;
import dev.tollgate.executor.core.InstallationSync;
import dev.tollgate.executor.core.MintLimits;
import dev.tollgate.executor.core.RetryPolicy;
import dev.tollgate.executor.http.OkHttpTransport;
import dev.tollgate.executor.metrics.ExecutorMetrics;
import dev.tollgate.executor.resilience.ResilientTransport;
import dev.tollgate.executor.resilience.Sleeper;
import dev.tollgate.executor.resilience.WritePacer;
import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.installations.InstallationRegistry;
import dev.tollgate.installations.kafka.InstallationRegistryFeed;
import dev.tollgate.runtime.ReadinessCheck;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The executor's installation registry (read from the compacted {@code gateway.installations}
 * topic before decisions are consumed) and the guard it puts over every token cache: no token for
 * a deleted or suspended installation, cached tokens dropped the moment one is, mint limits.
 */
@Configuration(proxyBeanMethods = false)
public class ExecutorInstallationsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(
            ExecutorInstallationsConfiguration.class);

    @Bean
    InstallationRegistry executorInstallationRegistry() {
        return new InstallationRegistry();
    }

    @Bean(destroyMethod = "close")
    InstallationRegistryFeed executorInstallationFeed(KafkaProperties kafka,
            InstallationRegistry executorInstallationRegistry, Environment environment,
            ObjectProvider<TopicProvisioner.Report> topics) throws InterruptedException {
        topics.getIfAvailable(); // the topic exists before it is read
        Duration timeout = environment.getProperty("tollgate.installations.load-timeout",
                Duration.class, Duration.ofSeconds(60));
        return InstallationRegistryFeed.startCaughtUp(kafka.buildConsumerProperties(),
                executorInstallationRegistry, timeout, "executor");
    }

    @Bean
    ReadinessCheck executorInstallationRegistryLoaded(
            InstallationRegistryFeed executorInstallationFeed) {
        return () -> executorInstallationFeed.isCaughtUp()
                ? ReadinessCheck.Result.ready("installation-registry", "loaded")
                : ReadinessCheck.Result.notReady("installation-registry",
                        "still reading gateway.installations");
    }

    /** The environments configured with an App of their own, and those Apps. */
    @Bean
    EnvironmentApps environmentApps(Environment environment) {
        return EnvironmentApps.from(environment);
    }

    @Bean
    InstallationGuard installationGuard(InstallationRegistry executorInstallationRegistry,
            Environment environment, Clock clock, EnvironmentApps environmentApps) {
        int perInstallation = environment.getProperty(
                "tollgate.executor.mint-limit.per-installation", Integer.class, 30);
        int perAgent = environment.getProperty("tollgate.executor.mint-limit.per-agent",
                Integer.class, 30);
        int share = environment.getProperty(MintLimits.PER_AGENT_PER_INSTALLATION, Integer.class,
                MintLimits.defaultShare(perInstallation));
        Duration period = environment.getProperty("tollgate.executor.mint-limit.period",
                Duration.class, Duration.ofMinutes(1));
        log.info("token mints limited to {} per installation, {} of them per agent, and {} per"
                + " agent over all installations, every {}", perInstallation, share, perAgent,
                period);
        return new InstallationGuard(executorInstallationRegistry, environmentApps.environments(),
                Optional.of(new MintLimits(perInstallation, share, perAgent, period, clock)));
    }

    /**
     * Synchronizes the registry from GitHub: every App's installations and repositories, on start
     * ({@code tollgate.installations.sync-on-start}, default true), every
     * {@code tollgate.installations.sync-interval} (default 1h; 0 turns it off) and on an
     * operator's demand ({@code POST /admin/installations/sync}). Its token mints
     * (metadata: read, to list repositories) are audited like every other.
     */
    @Bean
    InstallationSyncService installationSyncService(ObjectProvider<GitHubAppConfig> defaultApp,
            Clock clock,
            EnvironmentApps environmentApps, InstallationRegistry executorInstallationRegistry,
            InstallationRegistryFeed executorInstallationFeed,
            Producer<String, SpecificRecord> producer, Environment environment,
            ScheduledExecutorService retryScheduler) {
        RetryPolicy retry = ExecutorConfiguration.retryPolicy(environment);
        Map<String, GitHubAppConfig> apps = new LinkedHashMap<>();
        GitHubAppConfig config = defaultApp.getIfAvailable();
        if (config != null) { // none: the executor acts on other forges only
            apps.put(AppEnvironments.DEFAULT, config);
        }
        apps.putAll(environmentApps.apps());
        List<InstallationSync> syncs = new ArrayList<>();
        apps.forEach((name, app) -> syncs.add(sync(name, app, leftAlone(name, apps), clock,
                producer, retry, retryScheduler)));
        return new InstallationSyncService(syncs, executorInstallationRegistry,
                executorInstallationFeed::awaitCurrent, producer, clock,
                environment.getProperty("tollgate.installations.sync-on-start", Boolean.class,
                        true),
                environment.getProperty("tollgate.installations.sync-interval", Duration.class,
                        Duration.ofHours(1)));
    }

    /**
     * One App's sync; its listing tokens' TokenMinted events are published and acknowledged. Its
     * GitHub calls (listings and listing-token mints) are retried like every other, behind a
     * circuit breaker of their own for the App's host.
     */
    /**
     * The other environments whose states {@code name}'s sync leaves alone: those served by the
     * same App (an installation it lists is theirs as much as its own) or by another GitHub host
     * (installation IDs are numbered per host). Every other environment is served by another
     * App of the same host, which never holds an installation this App lists.
     */
    static Set<String> leftAlone(String name, Map<String, GitHubAppConfig> apps) {
        GitHubAppConfig own = apps.get(name);
        Set<String> left = new TreeSet<>();
        apps.forEach((other, app) -> {
            if (!other.equals(name) && (app.appId().equals(own.appId()) || !app.host().equals(
                    own.host()))) {
                left.add(other);
            }
        });
        return left;
    }

    private static InstallationSync sync(String environmentName, GitHubAppConfig config,
            Set<String> leftAlone, Clock clock, Producer<String, SpecificRecord> producer,
            RetryPolicy retry,
            ScheduledExecutorService scheduler) {
        Duration openWait = ExecutorAssembly.CIRCUIT_OPEN_WAIT;
        GitHubTransport http = new ResilientTransport(ExecutorMetrics.timed(new OkHttpTransport(
                config.apiUrl(), OkHttpTransport.defaultClient())), config.host(), retry,
                ExecutorMetrics.watch(ResilientTransport.breakerFor(config.host(), openWait,
                        clock)),
                openWait, new WritePacer(Duration.ZERO, clock, Sleeper.system()), scheduler,
                clock);
        AppAuthenticator app = new AppAuthenticator(new AppJwtSigner(config.appId(), config
                .privateKey(), clock), http, clock);
        return new InstallationSync(environmentName, config.appId(), app, http, clock,
                minted -> {
                    try {
                        producer.send(new ProducerRecord<>(Topics.TOKEN_MINTS.name(), Long
                                .toString(minted.getInstallationId()), minted)).get(30,
                                        TimeUnit.SECONDS);
                    } catch (Exception e) {
                        if (e instanceof InterruptedException) {
                            Thread.currentThread().interrupt();
                        }
                        throw new IllegalStateException("the TokenMinted of a sync mint could"
                                + " not be published: " + e, e);
                    }
                }, leftAlone);
    }
}
