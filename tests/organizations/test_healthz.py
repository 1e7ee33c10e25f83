import time

from django.core.cache import cache
from django_q.tasks import async_task, result


def test_healthz_reports_503_when_no_job_cluster_is_running(transactional_db, client):
    cache.clear()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert response.json()["cluster"] == "no heartbeat"


def test_healthz_reports_200_while_the_job_cluster_runs_and_the_cluster_runs_tasks(job_cluster, client):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"
    assert response.json()["cluster_workers"] >= 1

    task_id = async_task("math.floor", 2.7)
    deadline = time.monotonic() + 20
    while result(task_id) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert result(task_id) == 2
