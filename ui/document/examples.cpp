#include "document/examples.h"

#include <QObject>

namespace loom::ui {

const QList<Example>& builtInExamples() {
    static const QList<Example> examples = {
        {QObject::tr("LSTM autoencoder with U-Net skips"),
         ":/examples/lstm_autoencoder_skips.loom"},
        {QObject::tr("LSTM autoencoder"), ":/examples/lstm_autoencoder.loom"},
        {QObject::tr("Anomaly detection: a machine's temperature"), ":/examples/machine_anomalies.loom"},
        {QObject::tr("Forecasting: a machine's temperature, the next day"), ":/examples/machine_forecast.loom"},
        {QObject::tr("LSTM autoencoder with residual skips"),
         ":/examples/lstm_autoencoder_skips_add.loom"},
        {QObject::tr("Residual LSTM classifier"), ":/examples/residual_lstm_classifier.loom"},
        {QObject::tr("1-D convolutional U-Net autoencoder"), ":/examples/conv1d_unet.loom"},
        {QObject::tr("Bidirectional LSTM autoencoder with LayerNormalization"),
         ":/examples/bilstm_autoencoder.loom"},
        {QObject::tr("keras.io: Timeseries classification from scratch"), ":/examples/keras_timeseries_classification.loom"},
        {QObject::tr("keras.io: Timeseries classification with a Transformer model"),
         ":/examples/keras_timeseries_transformer_classification.loom"},
        {QObject::tr("keras.io: Timeseries anomaly detection using an Autoencoder"),
         ":/examples/keras_timeseries_anomaly_detection.loom"},
        {QObject::tr("keras.io: Timeseries forecasting for weather prediction"),
         ":/examples/keras_timeseries_weather_forecasting.loom"},
        {QObject::tr("keras.io: Electroencephalogram signal classification"),
         ":/examples/keras_eeg_signal_classification.loom"},
        {QObject::tr("keras.io: Bidirectional LSTM on IMDB"), ":/examples/keras_bidirectional_lstm_imdb.loom"},
        {QObject::tr("keras.io: Text classification with Transformer"),
         ":/examples/keras_text_classification_with_transformer.loom"},
        {QObject::tr("keras.io: Event classification for payment card fraud detection"),
         ":/examples/keras_event_classification_for_payment_card_fraud_detection.loom"},
        {QObject::tr("keras.io: Sequence to sequence learning for performing number addition"),
         ":/examples/keras_addition_rnn.loom"},
        {QObject::tr("keras.io: Character-level text generation with LSTM"), ":/examples/keras_lstm_text_generation.loom"},
        {QObject::tr("keras.io: Character-level recurrent sequence-to-sequence model"), ":/examples/keras_lstm_seq2seq.loom"},
        {QObject::tr("Broken: U-Net skips wired with Add"), ":/examples/broken_skips_add.loom"},
        {QObject::tr("Broken: 1-D U-Net on an odd length"), ":/examples/broken_conv1d_unet_odd.loom"},
    };
    return examples;
}

}  // namespace loom::ui
