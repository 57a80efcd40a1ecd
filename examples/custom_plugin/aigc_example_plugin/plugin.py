"""Entry point: hook implementations only; the model module loads when first used."""

from aigc_sdk.hookspecs import hookimpl


@hookimpl
def register_generators(register):  # noqa: ANN001, ANN201
    register("points_gan", "aigc_example_plugin.points:PointsGAN", "MLP GAN for 2-D points")


@hookimpl
def register_datasets(register):  # noqa: ANN001, ANN201
    register("points_csv", "aigc_example_plugin.points:PointsCSV", "CSV with x,y[,label]")
