"""Which tracker store and lock store the configuration chooses (bot.server.store, bot.server.cluster)."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.lock_store import RedisLockStore
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import read_endpoint_config

from bot.server.cluster import lock_store_block, nginx_conf
from bot.server.store import DEFAULT_CACHE_SIZE, SQLConversationStore, database_url, single_writer
from bot.server.supervisor import write_endpoints


def test_without_database_url_the_store_is_the_sqlite_file_with_its_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    store = SQLConversationStore(Domain.empty(), db=str(tmp_path / "rasa.db"))
    assert store.url.get_backend_name() == "sqlite" and store.db_path == str(tmp_path / "rasa.db")
    assert store.cache_size == DEFAULT_CACHE_SIZE
    assert (tmp_path / "rasa.db").exists()


@pytest.mark.parametrize("given", ["postgresql://lta:pw@db.example:5432/lta", "postgres://lta:pw@db.example/lta"])
def test_database_url_chooses_postgresql_and_turns_the_cache_off(monkeypatch, given):
    monkeypatch.setenv("DATABASE_URL", given)
    url = database_url(db="var/rasa.db")
    assert url.get_backend_name() == "postgresql" and url.host == "db.example" and url.database == "lta"
    assert not single_writer(url)  # several instances may write: no in-process cache


def test_url_in_endpoints_is_used_when_the_environment_has_none(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url(db="x.db", url="postgresql://a@h/d").get_backend_name() == "postgresql"
    assert single_writer(database_url(db="x.db"))


def test_the_cluster_endpoints_give_rasa_its_redis_lock_store_without_the_password(tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_PASSWORD", "s3cret")
    path = write_endpoints(tmp_path / "endpoints.yml", "http://127.0.0.1:5055", tmp_path / "rasa.db",
                           lock_store_block("redis://:s3cret@cache.example:6380/2"))
    assert "s3cret" not in path.read_text()
    config = read_endpoint_config(str(path), "lock_store")
    assert config.type == "redis" and config.url == "cache.example"
    assert config.kwargs["port"] == 6380 and config.kwargs["db"] == 2 and config.kwargs["password"] == "s3cret"
    store = RedisLockStore(host=config.url, **config.kwargs)  # the class Rasa builds from this block
    assert store.red.connection_pool.connection_kwargs["host"] == "cache.example"
    tracker = read_endpoint_config(str(path), "tracker_store")
    assert tracker.type == "bot.server.store.SQLConversationStore"


def test_nginx_sends_each_socket_session_to_the_instance_that_named_it(tmp_path):
    conf = nginx_conf(tmp_path, "127.0.0.1", 8080, {"r1": 5101, "r2": 5102})
    assert '"~^r1-" rasa_r1;' in conf and '"~^r2-" rasa_r2;' in conf
    r1 = conf.split("upstream rasa_r1 {")[1].split("}")[0]
    assert "127.0.0.1:5101 max_fails=1 fail_timeout=5s;" in r1 and "127.0.0.1:5102 max_fails=1 fail_timeout=5s backup;" in r1
    assert "hash $lta_sender consistent;" in conf
    assert "proxy_next_upstream error timeout http_502 http_503;" in conf
